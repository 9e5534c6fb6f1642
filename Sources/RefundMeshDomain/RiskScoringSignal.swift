/// The named reasons a risk score is made of (R-R7: "every score comes with its reasons").
///
/// Each case's raw value is the stable snake_case name stored in `RiskSignal.name`; reviewers'
/// tools, metrics and stored cases rely on it, so a name is never changed or reused. The case
/// order is the order in which ``RiskScorer`` lists fired signals: facts about the money first
/// (payments, amount), then who is asking (device, network), then the user's behaviour
/// (frequency, R-A7).
public enum RiskSignalKind: String, Sendable, Hashable, CaseIterable {
    /// R-R7 "duplicate payments": the order has more than one captured payment and the request is
    /// not the duplicate-charge claim (R-R3) that would explain them, or it has more payments than
    /// one duplicate charge explains. Automatic approval refunds "the order's payment" (R-R1,
    /// R-R2), which is ambiguous with two captures on record; a person picks the payment (R-C1,
    /// R-C5).
    case duplicatePayments = "duplicate_payments"
    /// R-R7 "unusually large amounts": the refund is more than a multiple of the user's 90-day
    /// median order, judged only when the user has enough orders for the median to be a norm.
    case amountAboveNorm = "amount_above_norm"
    /// R-R7 "unusually large amounts", for users without a norm: no orders in the 90 days before
    /// and an order above an absolute amount. Weak alone: new users are common.
    case largeFirstPurchase = "large_first_purchase"
    /// R-R7 "operation from a device other than the buyer's": the request comes from another
    /// device than the purchase did. Weak alone: people change phones.
    case deviceMismatch = "device_mismatch"
    /// R-R7 "operation from an account/network other than the buyer's": the request comes from
    /// another IP address than the purchase did. Weaker still: addresses change with networks.
    case ipMismatch = "ip_mismatch"
    /// R-R7 "many refunds by the same user": the user's other refund requests in the configured
    /// window reach a limit.
    case refundFrequency = "refund_frequency"
    /// R-R7 "R-A7 flags": intake flagged the request for repeated withdraw-and-resubmit.
    case withdrawFlag = "withdraw_flag"

    /// The stable name, as stored in `RiskSignal.name`, e.g. `"device_mismatch"`.
    public var name: String { rawValue }

    /// The rule the signal implements: R-A7 for ``withdrawFlag``, R-R7 for the others.
    public var rule: RuleID {
        switch self {
        case .withdrawFlag: .a7
        default: .r7
        }
    }

    /// The environment variable of the signal's weight, e.g. `REVIEW_RISK_WEIGHT_DEVICE_MISMATCH`.
    public var weightVariable: String {
        "REVIEW_RISK_WEIGHT_" + rawValue.uppercased()
    }
}
