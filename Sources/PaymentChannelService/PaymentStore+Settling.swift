import GRDB
import RefundMeshAPI
import RefundMeshStore

extension PaymentStore {
    /// PENDING refunds the ``RefundSettler`` must submit: those whose not-before time has come
    /// (throttled, rate limited, or backing off after an error) and those older than `pendingBefore`
    /// that were never tried (a crash between commit and call), with no submission in flight.
    public func dueSubmissions(
        pendingBefore cutoffMs: Int64,
        at nowMs: Int64,
        limit: Int = 100
    ) async throws
        -> [RefundPaymentRecord]
    {
        try await store.read { db in
            try db.rows(
                """
                SELECT * FROM refund_payments
                WHERE state = ? AND (submitting_until_ms IS NULL OR submitting_until_ms <= ?)
                  AND ((not_before_ms IS NULL AND created_at_ms <= ?) OR not_before_ms <= ?)
                ORDER BY COALESCE(not_before_ms, created_at_ms), created_at_ms, refund_id LIMIT ?
                """,
                [Int(RefundPayment.State.pending.rawValue), nowMs, cutoffMs, nowMs, limit]
            ).map(RefundPaymentRecord.init(row:))
        }
    }

    /// SENT refunds whose next query is due (R-C6), soonest first.
    public func dueQueries(at nowMs: Int64, limit: Int = 100) async throws -> [RefundPaymentRecord] {
        try await store.read { db in
            try db.rows(
                """
                SELECT * FROM refund_payments
                WHERE state = ? AND next_query_at_ms <= ?
                  AND (submitting_until_ms IS NULL OR submitting_until_ms <= ?)
                ORDER BY next_query_at_ms, refund_id LIMIT ?
                """,
                [Int(RefundPayment.State.sent.rawValue), nowMs, nowMs, limit]
            ).map(RefundPaymentRecord.init(row:))
        }
    }

    /// Refunds not final past their expected arrival plus the grace, not yet escalated (R-C6).
    public func stuckRefunds(at nowMs: Int64, limit: Int = 100) async throws -> [RefundPaymentRecord] {
        let grace = settings.stuckGraceMs
        return try await store.read { db in
            try db.rows(
                """
                SELECT * FROM refund_payments
                WHERE state IN (?, ?, ?) AND escalated_at_ms IS NULL AND expected_arrival_ms + ? < ?
                ORDER BY expected_arrival_ms, refund_id LIMIT ?
                """,
                [
                    Int(RefundPayment.State.pending.rawValue), Int(RefundPayment.State.sent.rawValue),
                    Int(RefundPayment.State.abnormal.rawValue), grace, nowMs, limit,
                ]
            ).map(RefundPaymentRecord.init(row:))
        }
    }

    /// Escalates a stuck refund once (R-C6): `escalated_at_ms`, an alert for the operators, and
    /// the user and intake's timeline are told. False when it was escalated before or is final.
    @discardableResult
    public func escalateStuck(_ refundID: String, at nowMs: Int64) async throws -> Bool {
        let context = self.context
        return try await store.writeIgnoringCancellation { db in
            guard var refund = try Self.refund(db, id: refundID), refund.escalatedAtMs == nil,
                [.pending, .sent, .abnormal].contains(refund.state),
                refund.expectedArrivalMs + context.settings.stuckGraceMs < nowMs
            else { return false }
            refund.escalatedAtMs = nowMs
            try RefundMovements.save(db, refund)
            try RefundNotices.alert(
                db,
                refund,
                kind: "stuck",
                message: "refund \(refund.refundID) (\(refund.providerRefundNo)) is still \(refund.state) past its"
                    + " expected arrival at \(context.policy.calendar.format(refund.expectedArrivalMs))"
                    + " (R-C6); check it at the provider",
                context: context,
                userState: refund.state == .pending ? .approved : .moneySent,
                at: nowMs
            )
            return true
        }
    }

    /// The refund payment sent to the provider under `providerRefundNo`, if any.
    public func refund(providerRefundNo: String) async throws -> RefundPaymentRecord? {
        try await store.read { db in
            try db.row("SELECT * FROM refund_payments WHERE provider_refund_no = ?", [providerRefundNo]).map(
                RefundPaymentRecord.init(row:)
            )
        }
    }
}
