import RefundMeshDomain
import Testing

@Suite("RiskConfiguration (R-R7): REVIEW_RISK_* settings, errors that name the variable")
struct RiskScoringConfigurationTests {
    @Test("R-R7: an empty environment gives the documented defaults")
    func defaults() throws {
        let configuration = try RiskConfiguration(environment: ["REFUND_WINDOW_DAYS": "9"])
        #expect(configuration == .default)
        #expect(configuration.threshold == 50)
        #expect(configuration.refundFrequencyWindowDays == 30)
        #expect(configuration.refundFrequencyMinimum == 3)
        #expect(configuration.amountNormMultiple == 5)
        #expect(configuration.amountNormMinimumOrders == 3)
        #expect(configuration.largeFirstPurchaseFen == 50_000)
        let weights = RiskSignalKind.allCases.map { configuration.weight(of: $0) }
        #expect(weights == [50, 50, 20, 30, 20, 50, 50])
    }

    @Test("R-R7: every variable is read; blanks keep the default")
    func reads() throws {
        let configuration = try RiskConfiguration(environment: [
            "REVIEW_RISK_THRESHOLD": " 70 ",
            "REVIEW_RISK_WEIGHT_DEVICE_MISMATCH": "40",
            "REVIEW_RISK_WEIGHT_IP_MISMATCH": "0",
            "REVIEW_RISK_WEIGHT_WITHDRAW_FLAG": "",
            "REVIEW_RISK_REFUND_WINDOW_DAYS": "14",
            "REVIEW_RISK_REFUND_COUNT": "2",
            "REVIEW_RISK_AMOUNT_MULTIPLE": "8",
            "REVIEW_RISK_AMOUNT_MIN_ORDERS": "5",
            "REVIEW_RISK_FIRST_PURCHASE_FEN": "20000",
        ])
        #expect(
            configuration
                == (try RiskConfiguration(
                    threshold: 70,
                    weights: [.deviceMismatch: 40, .ipMismatch: 0],
                    refundFrequencyWindowDays: 14,
                    refundFrequencyMinimum: 2,
                    amountNormMultiple: 8,
                    amountNormMinimumOrders: 5,
                    largeFirstPurchaseFen: 20_000
                ))
        )
        #expect(configuration.weight(of: .withdrawFlag) == 50)
    }

    @Test("R-R7: a value out of range names the variable, the value and the range")
    func outOfRange() {
        let cases: [(String, String, String)] = [
            ("REVIEW_RISK_THRESHOLD", "0", "REVIEW_RISK_THRESHOLD=0 is outside the allowed range 1...1000 (R-R7)"),
            (
                "REVIEW_RISK_WEIGHT_DUPLICATE_PAYMENTS", "-5",
                "REVIEW_RISK_WEIGHT_DUPLICATE_PAYMENTS=-5 is outside the allowed range 0...1000 (R-R7)"
            ),
            (
                "REVIEW_RISK_REFUND_WINDOW_DAYS", "400",
                "REVIEW_RISK_REFUND_WINDOW_DAYS=400 is outside the allowed range 1...365 (R-R7)"
            ),
            (
                "REVIEW_RISK_REFUND_COUNT", "0",
                "REVIEW_RISK_REFUND_COUNT=0 is outside the allowed range 1...1000 (R-R7)"
            ),
            (
                "REVIEW_RISK_AMOUNT_MULTIPLE", "1",
                "REVIEW_RISK_AMOUNT_MULTIPLE=1 is outside the allowed range 2...100 (R-R7)"
            ),
            (
                "REVIEW_RISK_AMOUNT_MIN_ORDERS", "0",
                "REVIEW_RISK_AMOUNT_MIN_ORDERS=0 is outside the allowed range 1...1000 (R-R7)"
            ),
            (
                "REVIEW_RISK_FIRST_PURCHASE_FEN", "0",
                "REVIEW_RISK_FIRST_PURCHASE_FEN=0 is outside the allowed range 1...100000000 (R-R7)"
            ),
        ]
        for (variable, value, message) in cases {
            #expect {
                _ = try RiskConfiguration(environment: [variable: value])
            } throws: { error in
                guard let error = error as? PolicyError else { return false }
                return error.code == .outOfRange && error.variable == variable && error.value == value
                    && error.description == message
            }
        }
    }

    @Test("R-R7: a value that is not a whole number names the variable and what was expected")
    func notANumber() {
        for (variable, value) in [
            ("REVIEW_RISK_THRESHOLD", "high"), ("REVIEW_RISK_WEIGHT_IP_MISMATCH", "2.5"),
            ("REVIEW_RISK_FIRST_PURCHASE_FEN", "¥500"),
        ] {
            #expect {
                _ = try RiskConfiguration(environment: [variable: value])
            } throws: { error in
                guard let error = error as? PolicyError else { return false }
                return error.code == .notANumber && error.variable == variable && error.value == value
                    && error.description.hasPrefix(
                        "\(variable)=\(value) is not a whole number; allowed: a whole number in "
                    )
            }
        }
        #expect(
            throws: PolicyError(
                code: .notANumber,
                variable: "REVIEW_RISK_THRESHOLD",
                value: "high",
                allowed: "a whole number in 1...1000",
                rule: RuleID.r7
            )
        ) {
            try RiskConfiguration(environment: ["REVIEW_RISK_THRESHOLD": "high"])
        }
    }

    @Test("R-R7: the settings list documents every variable with its value, default and range")
    func settings() throws {
        let configuration = try RiskConfiguration(threshold: 60, weights: [.ipMismatch: 10])
        let settings = configuration.settings
        #expect(settings.map(\.variable) == RiskConfiguration.EnvironmentVariable.all)
        #expect(settings.count == 13)
        let threshold = try #require(settings.first { $0.variable == "REVIEW_RISK_THRESHOLD" })
        #expect(threshold.value == "60" && threshold.defaultValue == "50" && threshold.allowed == "1...1000")
        let ip = try #require(settings.first { $0.variable == "REVIEW_RISK_WEIGHT_IP_MISMATCH" })
        #expect(ip.value == "10" && ip.defaultValue == "20" && ip.meaning.contains("ip_mismatch signal (R-R7)"))
        let flag = try #require(settings.first { $0.variable == "REVIEW_RISK_WEIGHT_WITHDRAW_FLAG" })
        #expect(flag.meaning.contains("withdraw_flag signal (R-A7)"))
        // Every listed setting round-trips through the environment.
        let environment = Dictionary(uniqueKeysWithValues: settings.map { ($0.variable, $0.value) })
        #expect(try RiskConfiguration(environment: environment) == configuration)
    }
}
