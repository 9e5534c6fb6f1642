import GRDB

/// The sandbox's totals (`GET /sandbox/v1/stats`), including the two invariants a test checks:
/// money moved at most once per refund number, and no trade refunded beyond its total (R-C5).
public struct SandboxStats: Codable, Sendable, Equatable {
    public var refunds: Int
    public var moneyMovedCount: Int
    public var moneyMovedFen: Int64
    public var reversed: Int
    /// The largest money-moved count of any refund number; 1 or 0 when R-C5 holds.
    public var maxMoneyMovedPerRefund: Int
    /// Trades whose accepted, not closed, not reversed refunds add up to more than their total; 0 when R-C5 holds.
    public var tradesOverTotal: Int
    /// Named running totals: `duplicates_refused`, `rate_limited`, `failed_answers`, `refused`,
    /// `timeouts_after_commit`, `notifications_sent`, `notification_attempts_failed`,
    /// `notifications_abandoned`, `signature_errors`, `sms_accepted`, `sms_duplicates`, `sms_rate_limited`.
    public var counters: [String: Int]

    enum CodingKeys: String, CodingKey {
        case refunds
        case moneyMovedCount = "money_moved_count"
        case moneyMovedFen = "money_moved_fen"
        case reversed
        case maxMoneyMovedPerRefund = "max_money_moved_per_refund"
        case tradesOverTotal = "trades_over_total"
        case counters
    }
}

extension SandboxStore {
    /// The totals, read in one transaction.
    public func stats() async throws -> SandboxStats {
        try await store.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS refunds, COALESCE(SUM(money_moved), 0) AS moved,
                        COALESCE(SUM(money_moved * amount_fen), 0) AS moved_fen,
                        COALESCE(SUM(reversed), 0) AS reversed, COALESCE(MAX(money_moved), 0) AS max_moved
                    FROM refunds
                    """
            )
            // Recomputed from the refunds themselves, not from trades.refunded_fen, so a bookkeeping
            // bug in the reservation could not hide an over-refund.
            let over =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM trades t WHERE t.total_fen < (
                            SELECT COALESCE(SUM(r.amount_fen), 0) FROM refunds r
                            WHERE r.provider = t.provider AND r.trade_no = t.trade_no
                                AND r.state != 'CLOSED' AND r.reversed = 0)
                        """
                ) ?? 0
            var counters = Dictionary(uniqueKeysWithValues: Counter.allCases.map { ($0.rawValue, 0) })
            for counter in try Row.fetchAll(db, sql: "SELECT name, value FROM counters") {
                counters[counter["name"]] = counter["value"]
            }
            return SandboxStats(
                refunds: row?["refunds"] ?? 0,
                moneyMovedCount: row?["moved"] ?? 0,
                moneyMovedFen: row?["moved_fen"] ?? 0,
                reversed: row?["reversed"] ?? 0,
                maxMoneyMovedPerRefund: row?["max_moved"] ?? 0,
                tradesOverTotal: over,
                counters: counters
            )
        }
    }
}
