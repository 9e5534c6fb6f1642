import RefundMeshAPI
import RefundMeshDomain

extension FulfillmentFacts {
    /// Sums up an order's fulfillment feed for the rules.
    ///
    /// - R-R1: any activation fact means the card key was activated.
    /// - R-R2: the latest credited/failed fact wins (a failed recharge retried successfully is
    ///   credited); on equal times "credited" wins, the answer that refunds nothing twice.
    /// - R-R5: the largest `days_used` reported (usage only grows).
    public init(records: [FulfillmentFact]) {
        self.init()
        var latestRecharge: (atMs: Int64, credited: Bool)?
        for fact in records {
            switch fact.kind {
            case .cardKeyActivated:
                cardKeyActivated = true
            case .rechargeCredited, .rechargeFailed:
                let credited = fact.kind == .rechargeCredited
                if let latest = latestRecharge,
                    (latest.atMs, latest.credited ? 1 : 0) > (fact.atMs, credited ? 1 : 0)
                {
                    continue
                }
                latestRecharge = (fact.atMs, credited)
            case .daysUsed:
                daysUsed = max(daysUsed ?? 0, Int(fact.daysUsed))
            case .cardKeyIssued, .unspecified, .unrecognized:
                break
            }
        }
        if let latestRecharge { recharge = latestRecharge.credited ? .credited : .failed }
    }
}
