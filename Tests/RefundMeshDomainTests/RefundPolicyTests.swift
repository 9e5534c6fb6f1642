import RefundMeshAPI
import RefundMeshDomain
import Testing

@Suite("RefundPolicy: one configuration for rules and publication (R-A4, R-C2, R-T1)")
struct RefundPolicyTests {
    @Test("the defaults are DOMAIN.md's")
    func defaults() {
        let policy = RefundPolicy.default
        for kind in RefundPolicy.productKinds { #expect(policy.windowDays(for: kind) == 15) }
        #expect(policy.feeBasisPoints == 60)
        #expect(policy.balanceWithdrawable)
        #expect(policy.maxWithdrawalsPerOrder == 3)
        #expect(policy.maxWithdrawalsPerUserPerDay == 5)
        #expect(policy.maxAttachmentBytes == 2 * 1024 * 1024)
        #expect(policy.maxAttachments == 8)
        #expect(policy.calendar.utcOffsetMinutes == 480)
        #expect(
            policy.requiredMaterials(for: .notUsed) == [.orderProof, .paymentProof, .nonUseProof, .reasonStatement]
        )
        #expect(policy.requiredMaterials(for: .duplicateCharge) == [.orderProof, .paymentProof, .reasonStatement])
        #expect((try? RefundPolicy(environment: [:])) == policy)
        #expect((try? RefundPolicy()) == policy)
    }

    @Test("R-A4: the environment sets windows, per kind over the general one")
    func windows() throws {
        let policy = try RefundPolicy(environment: [
            "REFUND_WINDOW_DAYS": "10", "REFUND_WINDOW_DAYS_CARD_KEY": " 7 ", "REFUND_WINDOW_DAYS_TIME_BASED": "",
        ])
        #expect(policy.windowDays(for: .cardKey) == 7)
        #expect(policy.windowDays(for: .directRecharge) == 10)
        #expect(policy.windowDays(for: .timeBased) == 10)
    }

    @Test(
        "R-A4: a window outside 7...15 is refused, naming the variable and the range",
        arguments: [
            ("REFUND_WINDOW_DAYS", "16"), ("REFUND_WINDOW_DAYS", "6"), ("REFUND_WINDOW_DAYS_CARD_KEY", "30"),
            ("REFUND_WINDOW_DAYS_VIRTUAL_SERVICE", "0"),
        ]
    )
    func windowOutOfRange(variable: String, value: String) {
        #expect {
            try RefundPolicy(environment: [variable: value])
        } throws: { error in
            guard let error = error as? PolicyError else { return false }
            return error.code == .outOfRange && error.variable == variable && error.allowed == "7...15"
                && error.description == "\(variable)=\(value) is outside the allowed range 7...15 (R-A4)"
        }
    }

    @Test("R-C2: a fee outside 50...100 basis points is refused")
    func feeOutOfRange() {
        #expect(throws: PolicyError.outOfRange("REFUND_FEE_BASIS_POINTS", 120, 50...100, rule: .c2)) {
            try RefundPolicy(environment: ["REFUND_FEE_BASIS_POINTS": "120"])
        }
        #expect(throws: PolicyError.self) { try RefundPolicy(feeBasisPoints: 49) }
    }

    @Test("malformed values name their variable")
    func malformed() {
        let cases: [(String, String, PolicyError.Code)] = [
            ("REFUND_WINDOW_DAYS", "fifteen", .notANumber),
            ("REFUND_FEE_BASIS_POINTS", "0.6", .notANumber),
            ("REFUND_BALANCE_WITHDRAWABLE", "maybe", .notABoolean),
            ("REFUND_HOLIDAYS", "2026-10-01,2026-13-01", .notADate),
            ("REFUND_UTC_OFFSET_MINUTES", "900", .outOfRange),
            ("REFUND_MAX_ATTACHMENTS", "0", .outOfRange),
            ("REFUND_ARRIVAL_WORKING_DAYS_BANK_CARD", "40", .outOfRange),
        ]
        for (variable, value, code) in cases {
            #expect {
                try RefundPolicy(environment: [variable: value])
            } throws: { error in
                guard let error = error as? PolicyError else { return false }
                return error.code == code && error.variable == variable && error.description.hasPrefix(variable + "=")
            }
        }
    }

    @Test("the environment sets the other settings")
    func otherSettings() throws {
        let policy = try RefundPolicy(environment: [
            "REFUND_BALANCE_WITHDRAWABLE": "false",
            "REFUND_HOLIDAYS": "2026-10-01, 2026-10-02",
            "REFUND_MAKEUP_WORKDAYS": "2026-10-10",
            "REFUND_MAX_WITHDRAWALS_PER_ORDER": "2",
            "REFUND_MAX_WITHDRAWALS_PER_USER_PER_DAY": "4",
            "REFUND_MAX_ATTACHMENT_BYTES": "1048576",
            "REFUND_MAX_ATTACHMENTS": "4",
            "REFUND_ARRIVAL_WORKING_DAYS_WECHAT_PAY": "2",
            "REFUND_ARRIVAL_WORKING_DAYS_BANK_CARD": "7",
            "REFUND_VAGUE_PHRASES": "meh,随便",
            "REFUND_REASON_MIN_LENGTH": "4",
            "REFUND_UTC_OFFSET_MINUTES": "0",
            "UNRELATED": "x",
        ])
        #expect(!policy.balanceWithdrawable)
        #expect(policy.calendar.holidays == Set(["2026-10-01", "2026-10-02"].compactMap { CivilDate(parsing: $0) }))
        #expect(policy.calendar.makeUpWorkingDays.count == 1)
        #expect(policy.maxWithdrawalsPerOrder == 2)
        #expect(policy.maxWithdrawalsPerUserPerDay == 4)
        #expect(policy.maxAttachmentBytes == 1_048_576)
        #expect(policy.maxAttachments == 4)
        #expect(policy.arrival(for: .wechatPay) == .providerConfirmation(maxWorkingDays: 2))
        #expect(policy.arrival(for: .bankCard) == .workingDays(min: 3, max: 7))
        #expect(policy.reasonStatementCheck.isVague("meh meh"))
        #expect(!policy.reasonStatementCheck.isVague("不想要了"))
        #expect(policy.calendar.utcOffsetMinutes == 0)
        #expect(RefundPolicy.EnvironmentVariable.all.contains("REFUND_WINDOW_DAYS_DIRECT_RECHARGE"))
    }

    @Test("R-T1: the published policy reflects a changed configuration")
    func publishedReflectsConfiguration() throws {
        let policy = try RefundPolicy(environment: [
            "REFUND_WINDOW_DAYS": "10", "REFUND_WINDOW_DAYS_CARD_KEY": "7", "REFUND_FEE_BASIS_POINTS": "100",
            "REFUND_BALANCE_WITHDRAWABLE": "false", "REFUND_MAX_WITHDRAWALS_PER_ORDER": "2",
            "REFUND_ARRIVAL_WORKING_DAYS_BANK_CARD": "4",
        ])
        let published = policy.published(locale: .en)
        #expect(
            published.windows == [
                Policy.Window(productKind: .cardKey, days: 7), Policy.Window(productKind: .directRecharge, days: 10),
                Policy.Window(productKind: .timeBased, days: 10), Policy.Window(productKind: .virtualService, days: 10),
            ]
        )
        #expect(published.feeBasisPoints == 100)
        #expect(!published.balanceWithdrawable)
        #expect(published.maxWithdrawalsPerOrder == 2)
        #expect(published.maxWithdrawalsPerUserPerDay == 5)
        #expect(published.maxAttachmentBytes == 2_097_152)
        #expect(published.maxAttachments == 8)
        #expect(published.locale == "en")
        let bank = try #require(published.arrivals.first { $0.method == .bankCard })
        #expect(bank.maxWorkingDays == 4)
        #expect(bank.description == "3-4 working days")
        let balance = try #require(published.arrivals.first { $0.method == .balance })
        #expect(balance.maxWorkingDays == 0)
        #expect(published.materials.count == 5)
        #expect(
            published.materials.first { $0.ground == .notUsed }?.required
                == [.orderProof, .paymentProof, .nonUseProof, .reasonStatement]
        )
        #expect(published.negativeList.count == 5)
        #expect(published.negativeList.contains("a card key already activated or used"))
    }

    @Test("R-T1: the published policy speaks Chinese by default")
    func publishedChinese() throws {
        let published = RefundPolicy.default.published()
        #expect(published.locale == "zh-CN")
        #expect(published.negativeList.contains("卡密已激活或已使用"))
        #expect(try #require(published.arrivals.first { $0.method == .bankCard }).description == "3-5 个工作日到账")
        #expect(RefundLocale(tag: "en-US") == .en)
        #expect(RefundLocale(tag: "") == .zhCN)
        #expect(RefundLocale(tag: "fr") == .zhCN)
    }

    @Test("R-A5: attachment limits")
    func attachments() throws {
        let policy = RefundPolicy.default
        #expect(policy.attachmentViolation([("a.png", 2 * 1024 * 1024)]) == nil)
        let tooLarge = try #require(policy.attachmentViolation([("a.png", 10), ("b.mp4", 2 * 1024 * 1024 + 1)]))
        #expect(tooLarge.rule == .a5)
        #expect(tooLarge.message(.en).contains("\"b.mp4\""))
        let tooMany = Array(repeating: (fileName: "x.png", sizeBytes: Int64(1)), count: 9)
        #expect(try #require(policy.attachmentViolation(tooMany)).message(.en).contains("at most 8"))
    }
}
