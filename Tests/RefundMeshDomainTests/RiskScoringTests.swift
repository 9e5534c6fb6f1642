import RefundMeshAPI
import RefundMeshDomain
import Testing

@Suite("RiskScorer (R-R7, R-A7): named, explainable signals; unknown inputs never fire")
struct RiskScoringTests {
    let scorer = RiskScorer()

    /// A request that fires nothing: the buyer's own device and network, one payment, a usual
    /// amount, no other refunds, no R-A7 flag.
    static func quiet(
        ground: RefundGround = .notUsed,
        priceFen: Int64 = 5_000,
        requestedAmountFen: Int64 = 0,
        requesterDeviceID: String = "d-1",
        requesterIP: String = "10.0.0.1",
        payments: [CapturedPayment]? = [payment("p-1")],
        otherRefundRequests: Int? = 0,
        userHistory: UserHistory? = UserHistory(orders90d: 6, medianOrderFen90d: 5_000),
        flaggedForReview: Bool = false,
        flagReason: String = ""
    ) -> RiskInputs {
        var order = Fixtures.order(.cardKey, priceFen: priceFen)
        order.buyerDeviceID = "d-1"
        order.buyerIP = "10.0.0.1"
        return RiskInputs(
            order: order,
            ground: ground,
            requestedAmountFen: requestedAmountFen,
            requesterDeviceID: requesterDeviceID,
            requesterIP: requesterIP,
            payments: payments,
            otherRefundRequests: otherRefundRequests,
            userHistory: userHistory,
            flaggedForReview: flaggedForReview,
            flagReason: flagReason
        )
    }

    static func payment(_ id: String, orderID: String = "o-1", amountFen: Int64 = 5_000) -> CapturedPayment {
        CapturedPayment(paymentID: id, orderID: orderID, userID: "u-1", method: .wechatPay, amountFen: amountFen)
    }

    func names(_ inputs: RiskInputs) -> [String] {
        scorer.assess(inputs).signals.map(\.name)
    }

    func detail(_ name: String, _ inputs: RiskInputs) throws -> String {
        try #require(scorer.assess(inputs, locale: .en).signals.first { $0.name == name }).detail
    }

    @Test("R-R7: a request like the purchase scores 0 and is decided automatically")
    func quietRequest() {
        let assessment = scorer.assess(Self.quiet())
        #expect(assessment == RiskAssessment(score: 0, threshold: 50, manual: false, signals: []))
    }

    @Test("R-R7 duplicate_payments: two captures with another ground fire; a duplicate-charge claim explains them")
    func duplicatePayments() throws {
        let two = [Self.payment("p-1"), Self.payment("p-2")]
        #expect(names(Self.quiet(ground: .notUsed, payments: two)) == ["duplicate_payments"])
        #expect(
            try detail("duplicate_payments", Self.quiet(ground: .deliveryFailed, payments: two))
                == "the order has 2 captured payments (p-1 ¥50.00, p-2 ¥50.00) but the request's ground is not a "
                + "duplicate charge (R-R3); a person chooses which payment to refund (R-R7)."
        )
        let assessment = scorer.assess(Self.quiet(payments: two))
        #expect(assessment.manual && assessment.score == 50)

        // The claim that explains them.
        #expect(names(Self.quiet(ground: .duplicateCharge, payments: two)).isEmpty)
        // More than a duplicate charge explains, whatever the ground.
        let three = two + [Self.payment("p-3")]
        #expect(names(Self.quiet(ground: .duplicateCharge, payments: three)) == ["duplicate_payments"])
        #expect(
            try detail("duplicate_payments", Self.quiet(ground: .duplicateCharge, payments: three)).contains(
                "explains only 2"
            )
        )
        // One payment, or payments of other orders, do not fire.
        #expect(names(Self.quiet(payments: [Self.payment("p-1"), Self.payment("p-9", orderID: "o-9")])).isEmpty)
        #expect(names(Self.quiet(payments: [])).isEmpty)
    }

    @Test("R-R7 duplicate_payments: payment-channel unread (nil) or an unknown ground never fire")
    func duplicatePaymentsUnknown() {
        #expect(names(Self.quiet(payments: nil)).isEmpty)
        #expect(names(Self.quiet(ground: .unspecified, payments: [Self.payment("p-1"), Self.payment("p-2")])).isEmpty)
    }

    @Test("R-R7 device_mismatch: another device fires with both ids; same or unknown devices do not")
    func deviceMismatch() throws {
        let other = Self.quiet(requesterDeviceID: "d-9")
        #expect(names(other) == ["device_mismatch"])
        #expect(
            try detail("device_mismatch", other) == "requester device d-9 differs from the buyer's device d-1 (R-R7)."
        )
        #expect(scorer.assess(other, locale: .zhCN).signals[0].detail == "申请设备 d-9 与下单设备 d-1 不同（R-R7）。")
        #expect(!scorer.assess(other).manual)  // alone it is a new phone, not a takeover

        #expect(names(Self.quiet(requesterDeviceID: " d-1 ")).isEmpty)
        #expect(names(Self.quiet(requesterDeviceID: "")).isEmpty)
        var unknownBuyer = other
        unknownBuyer.order.buyerDeviceID = ""
        #expect(names(unknownBuyer).isEmpty)
    }

    @Test("R-R7 ip_mismatch: only when both sides are known; case of IPv6 digits does not matter")
    func ipMismatch() throws {
        let other = Self.quiet(requesterIP: "10.9.9.9")
        #expect(names(other) == ["ip_mismatch"])
        #expect(
            try detail("ip_mismatch", other) == "requester IP 10.9.9.9 differs from the buyer's IP 10.0.0.1 (R-R7)."
        )
        #expect(scorer.assess(other).score == 20)
        #expect(names(Self.quiet(requesterIP: "")).isEmpty)
        var unknownBuyer = other
        unknownBuyer.order.buyerIP = ""
        #expect(names(unknownBuyer).isEmpty)
        var v6 = Self.quiet(requesterIP: "2001:DB8::1")
        v6.order.buyerIP = "2001:db8::1"
        #expect(names(v6).isEmpty)
    }

    @Test("R-R7: other device and other network together (account takeover) reach the threshold")
    func takeover() {
        let assessment = scorer.assess(Self.quiet(requesterDeviceID: "d-9", requesterIP: "203.0.113.7"))
        #expect(assessment.signals.map(\.name) == ["device_mismatch", "ip_mismatch"])
        #expect(assessment.score == 50 && assessment.manual)
    }

    @Test("R-R7 refund_frequency: 3 other requests in 30 days fire, 2 do not, unknown does not")
    func refundFrequency() throws {
        #expect(names(Self.quiet(otherRefundRequests: 2)).isEmpty)
        let three = Self.quiet(otherRefundRequests: 3)
        #expect(names(three) == ["refund_frequency"])
        #expect(scorer.assess(three).manual)
        #expect(
            try detail("refund_frequency", three)
                == "the user made 3 other refund requests in the last 30 days; 3 or more are unusual (R-R7)."
        )
        #expect(names(Self.quiet(otherRefundRequests: nil)).isEmpty)
    }

    @Test("R-R7 amount_above_norm: more than 5× the median with ≥ 3 orders; exactly 5× or thin history does not fire")
    func amountAboveNorm() throws {
        let history = UserHistory(orders90d: 4, medianOrderFen90d: 5_000)
        let above = Self.quiet(priceFen: 25_001, userHistory: history)
        #expect(names(above) == ["amount_above_norm"])
        #expect(scorer.assess(above).manual)
        #expect(
            try detail("amount_above_norm", Self.quiet(priceFen: 60_000, userHistory: history))
                == "refund of ¥600.00 is 12.00× the user's 90-day median order of ¥50.00 (4 orders), "
                + "more than 5× (R-R7)."
        )
        #expect(names(Self.quiet(priceFen: 25_000, userHistory: history)).isEmpty)  // exactly 5×
        // The amount at stake: a partial request below the norm does not fire.
        #expect(names(Self.quiet(priceFen: 60_000, requestedAmountFen: 10_000, userHistory: history)).isEmpty)
        // Too few orders for a norm.
        #expect(
            names(Self.quiet(priceFen: 60_000, userHistory: UserHistory(orders90d: 2, medianOrderFen90d: 5_000)))
                .isEmpty
        )
        // Unknown history, or a median of 0 with orders (inconsistent), never fire.
        #expect(names(Self.quiet(priceFen: 60_000, userHistory: nil)).isEmpty)
        #expect(
            names(Self.quiet(priceFen: 60_000, userHistory: UserHistory(orders90d: 5, medianOrderFen90d: 0))).isEmpty
        )
    }

    @Test("R-R7 large_first_purchase: no orders in 90 days and at least ¥500; weak alone, decisive with a new device")
    func largeFirstPurchase() throws {
        let none = UserHistory(orders90d: 0, medianOrderFen90d: 0)
        let large = Self.quiet(priceFen: 50_000, userHistory: none)
        #expect(names(large) == ["large_first_purchase"])
        #expect(!scorer.assess(large).manual)
        #expect(
            try detail("large_first_purchase", large)
                == "the user has no orders in the 90 days before; refund of ¥500.00 is at least ¥500.00 (R-R7)."
        )
        #expect(names(Self.quiet(priceFen: 49_999, userHistory: none)).isEmpty)
        #expect(names(Self.quiet(priceFen: 80_000, userHistory: nil)).isEmpty)  // unknown history
        #expect(scorer.assess(Self.quiet(priceFen: 50_000, requesterDeviceID: "d-9", userHistory: none)).manual)
        #expect(!scorer.assess(Self.quiet(priceFen: 50_000, requesterIP: "10.9.9.9", userHistory: none)).manual)
    }

    @Test("R-A7 withdraw_flag: intake's flag fires with its reason and alone sends the case to a person")
    func withdrawFlag() throws {
        let flagged = Self.quiet(flaggedForReview: true, flagReason: "order withdrawn 4 times, more than 3")
        #expect(names(flagged) == ["withdraw_flag"])
        #expect(scorer.assess(flagged).manual)
        #expect(
            try detail("withdraw_flag", flagged)
                == "intake flagged the request for repeated withdraw-and-resubmit (R-A7): order withdrawn 4 times, "
                + "more than 3"
        )
        #expect(try detail("withdraw_flag", Self.quiet(flaggedForReview: true)).hasSuffix("(R-A7)."))
        // A reason without the flag is not a flag.
        #expect(names(Self.quiet(flaggedForReview: false, flagReason: "stale text")).isEmpty)
    }

    @Test("R-R7: signals come in a stable order and the score is their sum")
    func orderAndSum() {
        let everything = Self.quiet(
            priceFen: 100_000,
            requesterDeviceID: "d-9",
            requesterIP: "10.9.9.9",
            payments: [Self.payment("p-1"), Self.payment("p-2")],
            otherRefundRequests: 7,
            flaggedForReview: true
        )
        let assessment = scorer.assess(everything)
        #expect(
            assessment.signals.map(\.name) == [
                "duplicate_payments", "amount_above_norm", "device_mismatch", "ip_mismatch", "refund_frequency",
                "withdraw_flag",
            ]
        )
        #expect(assessment.score == assessment.signals.reduce(0) { $0 + $1.weight })
        #expect(assessment.score == 250)
        #expect(scorer.assess(everything) == assessment)  // deterministic
    }

    @Test("R-R7: the configuration sets weights and threshold; weight 0 turns a signal off")
    func configured() throws {
        let strict = RiskScorer(configuration: try RiskConfiguration(threshold: 30))
        #expect(strict.assess(Self.quiet(requesterDeviceID: "d-9")).manual)
        let noDevice = RiskScorer(configuration: try RiskConfiguration(weights: [.deviceMismatch: 0]))
        let assessment = noDevice.assess(Self.quiet(requesterDeviceID: "d-9", requesterIP: "10.9.9.9"))
        #expect(assessment.signals.map(\.name) == ["ip_mismatch"])
        #expect(!assessment.manual)
        let weekly = RiskScorer(
            configuration: try RiskConfiguration(refundFrequencyWindowDays: 7, refundFrequencyMinimum: 2)
        )
        #expect(
            weekly.assess(Self.quiet(otherRefundRequests: 2), locale: .en).signals.map(\.detail) == [
                "the user made 2 other refund requests in the last 7 days; 2 or more are unusual (R-R7)."
            ]
        )
    }

    @Test("R-R7: inputs built from review's OpenCaseRequest carry the requester, history and R-A7 flag")
    func fromOpenCaseRequest() {
        var order = Fixtures.order(.cardKey)
        order.buyerDeviceID = "d-1"
        let request = OpenCaseRequest(
            order: order,
            ground: .notUsed,
            flaggedForReview: true,
            flagReason: "r",
            requesterDeviceID: "d-2",
            userHistory: UserHistory(orders90d: 3, medianOrderFen90d: 1_000)
        )
        let inputs = RiskInputs(request: request, payments: nil, otherRefundRequests: nil)
        #expect(names(inputs) == ["amount_above_norm", "device_mismatch", "withdraw_flag"])
    }
}
