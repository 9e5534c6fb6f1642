import GRDB
import RefundMeshAPI
import RefundMeshStore

extension PaymentStore {
    /// Migration 4: the double-entry ledger replaces `balance_entries`/`balances` (one source of
    /// truth for balances, R-C4), refund payments gain their reconciliation schedule (R-C6),
    /// throttling (R-C7) and resolution columns, and alerts get a table.
    ///
    /// Refunds recorded before are posted as the movements their state implies (a FAILED one
    /// posts nothing: it nets to zero), and each user's migrated balance is checked against the
    /// old `balances` row before the old tables are dropped.
    static func migrateToLedger(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE refund_payments ADD COLUMN resolution TEXT;
                ALTER TABLE refund_payments ADD COLUMN next_query_at_ms INTEGER;
                ALTER TABLE refund_payments ADD COLUMN query_interval_ms INTEGER;
                ALTER TABLE refund_payments ADD COLUMN not_before_ms INTEGER;
                ALTER TABLE refund_payments ADD COLUMN escalated_at_ms INTEGER;
                ALTER TABLE refund_payments ADD COLUMN submitting_until_ms INTEGER;
                CREATE INDEX refund_payments_by_next_query ON refund_payments (next_query_at_ms);
                CREATE TABLE payment_alerts (
                    alert_id INTEGER PRIMARY KEY AUTOINCREMENT,
                    refund_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    message TEXT NOT NULL,
                    at_ms INTEGER NOT NULL
                );
                CREATE INDEX payment_alerts_by_refund ON payment_alerts (refund_id, alert_id);
                CREATE TABLE throttle_buckets (
                    bucket TEXT PRIMARY KEY NOT NULL,
                    tokens REAL NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                );
                CREATE TABLE order_slots (
                    payment_id TEXT PRIMARY KEY NOT NULL,
                    next_at_ms INTEGER NOT NULL
                );
                """
        )
        try db.execute(sql: Ledger.schema)
        let refunds = try db.rows("SELECT * FROM refund_payments ORDER BY rowid").map(RefundPaymentRecord.init(row:))
        for var refund in refunds where refund.state != .failed {
            let at = refund.createdAtMs
            try Ledger.post(
                db,
                refundID: refund.refundID,
                movement: "begin",
                postings: RefundMovements.owedPostings(refund),
                memo: "migrated",
                at: at
            )
            if !refund.usesProvider {
                try RefundMovements.creditBalance(
                    db,
                    refund,
                    fromAccount: Ledger.refundsPayable,
                    movement: "to-balance",
                    memo: "migrated",
                    at: at
                )
                continue
            }
            guard refund.state == .sent || refund.state == .arrived else { continue }
            try Ledger.post(
                db,
                refundID: refund.refundID,
                movement: "sent",
                postings: RefundMovements.sentPostings(refund),
                memo: "migrated",
                at: refund.sentAtMs ?? at
            )
            if refund.state == .arrived {
                try Ledger.post(
                    db,
                    refundID: refund.refundID,
                    movement: "arrived",
                    postings: RefundMovements.netPostings(
                        refund,
                        debit: Ledger.clearing(refund.method),
                        credit: Ledger.settlement(refund.method)
                    ),
                    memo: "migrated",
                    at: refund.arrivedAtMs ?? at
                )
            } else {
                // Queried at once after the upgrade (R-C6).
                refund.nextQueryAtMs = 0
                refund.queryIntervalMs = nil
                try RefundMovements.save(db, refund)
            }
        }
        for row in try db.rows("SELECT user_id, available_fen FROM balances") {
            let userID: String = try row["user_id"]
            let old: Int64 = try row["available_fen"]
            let migrated = -(try Ledger.balance(db, account: Ledger.userBalance(userID)))
            guard migrated == old else {
                throw PaymentChannelError.refused(
                    "migrating balances: user \(userID) had \(old) fen in balances but the ledger gives \(migrated);"
                        + " fix balance_entries before upgrading"
                )
            }
        }
        try db.execute(sql: "DROP TABLE balance_entries; DROP TABLE balances;")
    }
}
