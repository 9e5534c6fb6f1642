import RefundMeshAPI

/// The answer to "would this qualify, and what is missing?" (R-A6), as ``EligibilityCheck`` gives
/// it; the fields follow `intake.v1.PreCheckResponse`, with texts in both languages.
public struct Eligibility: Sendable, Hashable {
    /// Whether a request made now with these materials would be accepted.
    public var isEligible: Bool
    /// The deciding rule and why: the first rule that refuses, or the rule that grants.
    public var reason: RuleReason
    /// R-A5: what the ground needs and the user does not have, in the policy's order.
    public var missingMaterials: [MaterialKind]
    /// R-A4: the last millisecond a request is accepted.
    public var deadlineMs: Int64
    /// The amount expected if the request goes through: the price, or the pro-rated share for a
    /// partly used time-based product (R-R5). 0 when the request cannot qualify at all; kept when
    /// only materials or the reason statement are lacking, so the user sees what is at stake.
    public var expectedAmountFen: Int64
    /// R-R5: the amount is pro-rated (an offer the user may decline).
    public var isProRated: Bool
    /// R-C1: where the money would go; an unspecified destination means the original way.
    public var destination: Destination
    /// R-C1: the method the refund would be paid on.
    public var refundMethod: PaymentMethod
    /// R-C2: the fee on ``expectedAmountFen``.
    public var feeFen: Int64
    /// R-C3: expected arrival if the refund were sent now.
    public var expectedArrivalMs: Int64
    /// R-C3: the arrival rule for a person, e.g. "3-5 working days".
    public var arrivalDescription: LocalizedText
    /// R-C4: whether refunded balance can be withdrawn.
    public var balanceWithdrawable: Bool

    public init(
        isEligible: Bool,
        reason: RuleReason,
        missingMaterials: [MaterialKind],
        deadlineMs: Int64,
        expectedAmountFen: Int64,
        isProRated: Bool,
        destination: Destination,
        refundMethod: PaymentMethod,
        feeFen: Int64,
        expectedArrivalMs: Int64,
        arrivalDescription: LocalizedText,
        balanceWithdrawable: Bool
    ) {
        self.isEligible = isEligible
        self.reason = reason
        self.missingMaterials = missingMaterials
        self.deadlineMs = deadlineMs
        self.expectedAmountFen = expectedAmountFen
        self.isProRated = isProRated
        self.destination = destination
        self.refundMethod = refundMethod
        self.feeFen = feeFen
        self.expectedArrivalMs = expectedArrivalMs
        self.arrivalDescription = arrivalDescription
        self.balanceWithdrawable = balanceWithdrawable
    }
}
