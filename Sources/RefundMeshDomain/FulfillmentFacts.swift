/// What the platform knows about the goods of one order, as review collects it from the
/// fulfillment feed (`review.v1.FulfillmentFact`) and the providers.
public struct FulfillmentFacts: Sendable, Hashable {
    /// R-R2: what the game operator or service provider says about a direct recharge.
    public enum RechargeStatus: Sendable, Hashable {
        /// The credit arrived on the account.
        case credited
        /// The provider confirmed the credit failed.
        case failed
        /// No answer yet, or the provider is down.
        case unknown
    }

    /// R-R1: whether the card key was redeemed or consumed. The platform's own activation records
    /// are the source of truth, so no activation fact means not activated.
    public var cardKeyActivated: Bool
    /// R-R2: the recharge's status; `.unknown` until the provider answers.
    public var recharge: RechargeStatus
    /// R-R5: days a time-based product has been used; `nil` when no usage has been recorded.
    public var daysUsed: Int?

    public init(cardKeyActivated: Bool = false, recharge: RechargeStatus = .unknown, daysUsed: Int? = nil) {
        self.cardKeyActivated = cardKeyActivated
        self.recharge = recharge
        self.daysUsed = daysUsed
    }
}
