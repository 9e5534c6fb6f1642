import RefundMeshAPI

/// R-R7 risk scoring ("AI smart review"): flags anomalies with named, explainable signals, and
/// sends high-risk requests to a person.
///
/// Every score comes with its reasons: the score is the sum of the weights of the signals that
/// fired, each signal carries a detail sentence with the values it saw, and the case goes to a
/// person when the score reaches the configured threshold (``RiskConfiguration``). The signals,
/// in the order they are listed (``RiskSignalKind``'s order):
///
/// - `duplicate_payments` (R-R7, R-R3): more than one captured payment on the order while the
///   ground is a known one other than a duplicate charge, or more than two captured payments
///   whatever the ground.
/// - `amount_above_norm` (R-R7): the amount at stake (``RiskInputs/amountAtStakeFen``) is more
///   than ``RiskConfiguration/amountNormMultiple`` times the user's 90-day median order, for a
///   user with at least ``RiskConfiguration/amountNormMinimumOrders`` orders in those 90 days.
/// - `large_first_purchase` (R-R7): no orders in the 90 days before and an amount at stake of at
///   least ``RiskConfiguration/largeFirstPurchaseFen``.
/// - `device_mismatch` (R-R7): the requester's device differs from the buyer's.
/// - `ip_mismatch` (R-R7): the requester's IP address differs from the buyer's (compared
///   exactly, case-insensitively; the low weight allows for networks changing).
/// - `refund_frequency` (R-R7): at least ``RiskConfiguration/refundFrequencyMinimum`` other
///   refund requests by the user in the window.
/// - `withdraw_flag` (R-A7): intake flagged the request for repeated withdraw-and-resubmit.
///
/// Unknown inputs never fire a signal (see ``RiskInputs``), and a signal whose weight is 0 is
/// off and not listed. The scorer is pure and deterministic: the same inputs and configuration
/// always give the same assessment, so a stored assessment can be recomputed and audited (R-R9).
public struct RiskScorer: Sendable {
    public let configuration: RiskConfiguration

    public init(configuration: RiskConfiguration = .default) {
        self.configuration = configuration
    }

    /// The score, the threshold, whether a person decides, and the signals that fired with their
    /// details in `locale` (R-R7).
    public func assess(_ inputs: RiskInputs, locale: RefundLocale = .zhCN) -> RiskAssessment {
        let findings = findings(inputs)
        let score = findings.reduce(0) { $0 + $1.weight }
        return RiskAssessment(
            score: Int32(clamping: score),
            threshold: Int32(clamping: configuration.threshold),
            manual: score >= configuration.threshold,
            signals: findings.map { $0.signal(locale) }
        )
    }

    /// The signals that fire for `inputs`, in ``RiskSignalKind`` order, with details in every
    /// language (for a service that stores them once and shows them in the reader's language).
    public func findings(_ inputs: RiskInputs) -> [RiskFinding] {
        var findings: [RiskFinding] = []
        for kind in RiskSignalKind.allCases {
            let weight = configuration.weight(of: kind)
            guard weight > 0, let detail = detail(kind, inputs) else { continue }
            findings.append(RiskFinding(kind: kind, weight: weight, detail: detail))
        }
        return findings
    }

    /// The detail of `kind` when it fires for `inputs`; `nil` when it does not or cannot tell.
    private func detail(_ kind: RiskSignalKind, _ inputs: RiskInputs) -> LocalizedText? {
        switch kind {
        case .duplicatePayments: duplicatePayments(inputs)
        case .amountAboveNorm: amountAboveNorm(inputs)
        case .largeFirstPurchase: largeFirstPurchase(inputs)
        case .deviceMismatch: deviceMismatch(inputs)
        case .ipMismatch: ipMismatch(inputs)
        case .refundFrequency: refundFrequency(inputs)
        case .withdrawFlag: withdrawFlag(inputs)
        }
    }

    private func duplicatePayments(_ inputs: RiskInputs) -> LocalizedText? {
        guard let payments = inputs.payments else { return nil }
        // As in AutomaticDecision: payments of other orders never count; an empty order id is
        // taken as this order's.
        let orderID = inputs.order.orderID
        let ofOrder = payments.filter { $0.orderID.isEmpty || $0.orderID == orderID }
        // A duplicate charge explains two captures; a third is unexplained whatever the ground.
        if ofOrder.count > 2 {
            return RefundText.riskMorePaymentsThanDuplicate(ofOrder)
        }
        guard ofOrder.count == 2 else { return nil }
        switch inputs.ground {
        case .duplicateCharge, .unspecified, .unrecognized:
            // The claim that explains them, or a ground nobody knows (that is rejected anyway).
            return nil
        case .notUsed, .notAsDescribed, .deliveryFailed, .partlyUsed:
            return RefundText.riskPaymentsWithoutDuplicateClaim(ofOrder)
        }
    }

    private func amountAboveNorm(_ inputs: RiskInputs) -> LocalizedText? {
        guard let history = inputs.userHistory else { return nil }
        let orders = Int(history.orders90d)
        let median = history.medianOrderFen90d
        let amount = inputs.amountAtStakeFen
        guard orders >= configuration.amountNormMinimumOrders, median > 0, amount > 0 else { return nil }
        guard amount > median.saturatingMultiplied(by: Int64(configuration.amountNormMultiple)) else { return nil }
        return RefundText.riskAmountAboveNorm(
            amountFen: amount,
            medianFen: median,
            orders: orders,
            multiple: configuration.amountNormMultiple
        )
    }

    private func largeFirstPurchase(_ inputs: RiskInputs) -> LocalizedText? {
        guard let history = inputs.userHistory, history.orders90d == 0 else { return nil }
        let amount = inputs.amountAtStakeFen
        guard amount >= configuration.largeFirstPurchaseFen else { return nil }
        return RefundText.riskLargeFirstPurchase(amountFen: amount, limitFen: configuration.largeFirstPurchaseFen)
    }

    private func deviceMismatch(_ inputs: RiskInputs) -> LocalizedText? {
        let buyer = inputs.order.buyerDeviceID.trimmingWhitespace()
        let requester = inputs.requesterDeviceID.trimmingWhitespace()
        guard !buyer.isEmpty, !requester.isEmpty, buyer != requester else { return nil }
        return RefundText.riskDeviceMismatch(requester: requester, buyer: buyer)
    }

    private func ipMismatch(_ inputs: RiskInputs) -> LocalizedText? {
        let buyer = inputs.order.buyerIP.trimmingWhitespace()
        let requester = inputs.requesterIP.trimmingWhitespace()
        // IPv6 hex digits may come in either case.
        guard !buyer.isEmpty, !requester.isEmpty, buyer.lowercased() != requester.lowercased() else { return nil }
        return RefundText.riskIPMismatch(requester: requester, buyer: buyer)
    }

    private func refundFrequency(_ inputs: RiskInputs) -> LocalizedText? {
        guard let count = inputs.otherRefundRequests, count >= configuration.refundFrequencyMinimum else { return nil }
        return RefundText.riskRefundFrequency(
            count: count,
            windowDays: configuration.refundFrequencyWindowDays,
            minimum: configuration.refundFrequencyMinimum
        )
    }

    private func withdrawFlag(_ inputs: RiskInputs) -> LocalizedText? {
        guard inputs.flaggedForReview else { return nil }
        return RefundText.riskWithdrawFlag(reason: inputs.flagReason.trimmingWhitespace())
    }
}
