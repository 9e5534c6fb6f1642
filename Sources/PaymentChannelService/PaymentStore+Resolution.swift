import GRDB
import RefundMeshAPI
import RefundMeshStore

extension PaymentStore {
    /// What an operator decided for an ABNORMAL or REVERSED refund (R-C8).
    public enum Resolution: String, Sendable, Hashable {
        /// Ask the provider again under the same number (ABNORMAL only: a reversed refund's number
        /// is spent, R-C6).
        case retryOriginal = "retry-original"
        /// Credit the platform balance (R-C1, no fee R-C2); the provider's money is not sent again.
        case toBalance = "to-balance"
    }

    /// Resolves an ABNORMAL or REVERSED refund, in one transaction with its ledger entry (R-C8).
    ///
    /// - RETRY_ORIGINAL (ABNORMAL): back to SENT (`channel_abnormal` → `channel_clearing`); the
    ///   caller submits again under the same number and queries follow.
    /// - TO_BALANCE: → ARRIVED on the balance: from ABNORMAL the undelivered money and the fee go
    ///   to the user's balance; from REVERSED what we owe again does. Paid once: a later SUCCESS
    ///   for the number raises a paid-twice alert and is booked as an overpayment to recover.
    ///
    /// The same resolution asked again returns the refund as it is (idempotent).
    /// - Throws: ``PaymentChannelError`` `.notFound`, or `.refused` naming the state when the
    ///   refund cannot be resolved that way.
    public func resolve(
        _ refundID: String,
        action: Resolution,
        operatorID: String,
        note: String,
        at nowMs: Int64
    ) async throws -> RefundPaymentRecord {
        guard !operatorID.isEmpty else {
            throw PaymentChannelError.invalid("ResolveRefund needs operator_id (who decided)")
        }
        return try await store.write { db in
            guard var refund = try Self.refund(db, id: refundID) else {
                throw PaymentChannelError.notFound("no refund payment for refund \(refundID)")
            }
            if refund.resolution == action.rawValue, refund.state != .abnormal, refund.state != .reversed {
                return refund
            }
            let memo = "by \(operatorID): \(note)"
            switch (refund.state, action) {
            case (.abnormal, .retryOriginal):
                try Ledger.post(
                    db,
                    refundID: refundID,
                    movement: "retry-original",
                    postings: [
                        .init(Ledger.abnormal(refund.method), refund.netFen),
                        .init(Ledger.clearing(refund.method), -refund.netFen),
                    ],
                    memo: memo,
                    at: nowMs
                )
                refund.state = .sent
                refund.nextQueryAtMs = nowMs
                refund.queryIntervalMs = nil
            case (.abnormal, .toBalance):
                try RefundMovements.creditBalance(
                    db,
                    refund,
                    fromAccount: Ledger.abnormal(refund.method),
                    extra: [.init(Ledger.feeIncome, refund.feeFen)],
                    movement: "to-balance",
                    memo: memo,
                    at: nowMs
                )
            case (.reversed, .toBalance):
                try RefundMovements.creditBalance(
                    db,
                    refund,
                    fromAccount: Ledger.refundsPayable,
                    movement: "to-balance",
                    memo: memo,
                    at: nowMs
                )
            default:
                throw PaymentChannelError.refused(
                    "refund \(refundID) is \(refund.state) and cannot be resolved with \(action.rawValue): only ABNORMAL"
                        + " refunds can be retried the original way (a reversed refund's number is spent, R-C6), and"
                        + " only ABNORMAL or REVERSED ones credited to the balance (R-C8)"
                )
            }
            refund.resolution = action.rawValue
            if action == .toBalance {
                refund.state = .arrived
                refund.destination = .balance
                refund.arrivedAtMs = nowMs
                refund.nextQueryAtMs = nil
                try RefundNotices.creditedToBalance(db, refund, at: nowMs)
            }
            try RefundMovements.save(db, refund)
            try db.run(
                "INSERT INTO payment_alerts (refund_id, kind, message, at_ms) VALUES (?, 'resolved', ?, ?)",
                [refundID, "\(action.rawValue) \(memo)", nowMs]
            )
            return refund
        }
    }

    // MARK: Ledger and alerts

    /// The refund's journal entries, oldest first.
    public func ledgerEntries(refundID: String) async throws -> [Ledger.Entry] {
        try await store.read { db in try Ledger.entries(db, refundID: refundID) }
    }

    /// Every account's balance; balanced when the total is zero and every entry sums to zero.
    public func trialBalance() async throws -> Ledger.TrialBalance {
        try await store.read { db in try Ledger.trialBalance(db) }
    }

    /// One alert row.
    public struct Alert: Sendable, Hashable {
        public var alertID: Int64
        public var refundID: String
        public var kind: String
        public var message: String
        public var atMs: Int64
    }

    /// Alerts, newest first (all refunds', or one refund's).
    public func alerts(refundID: String = "", limit: Int = 100) async throws -> [Alert] {
        try await store.read { db in
            try db.rows(
                """
                SELECT * FROM payment_alerts WHERE (? = '' OR refund_id = ?) ORDER BY alert_id DESC LIMIT ?
                """,
                [refundID, refundID, max(1, limit)]
            ).map {
                Alert(
                    alertID: try $0["alert_id"],
                    refundID: try $0["refund_id"],
                    kind: try $0["kind"],
                    message: try $0["message"],
                    atMs: try $0["at_ms"]
                )
            }
        }
    }
}

extension PaymentStore {
    /// The refund's net position per account (what all its entries posted, summed; zeros left out).
    public func ledgerPositions(refundID: String) async throws -> [String: Int64] {
        try await store.read { db in
            Dictionary(
                uniqueKeysWithValues: try Ledger.positions(db, refundID: refundID).map { ($0.account, $0.amountFen) }
            )
        }
    }

    /// Every refund payment, oldest first (operators' listings and tests' invariants).
    public func allRefunds(limit: Int = 10_000) async throws -> [RefundPaymentRecord] {
        try await store.read { db in
            try db.rows(
                "SELECT * FROM refund_payments ORDER BY created_at_ms, \(db.dialect.insertionOrder) LIMIT ?",
                [limit]
            ).map(RefundPaymentRecord.init(row:))
        }
    }
}
