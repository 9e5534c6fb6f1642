import GRDB
import RefundMeshAPI
import RefundMeshStore

extension PaymentStore {
    /// Where a provider status came from: a query we made, or a notification the provider sent.
    public enum StatusSource: Sendable, Hashable {
        case query
        case notification
    }

    /// The result of ``applyProviderStatus(providerRefundNo:status:source:at:)``.
    public enum StatusOutcome: Sendable, Hashable {
        /// The refund as stored afterwards; `changed` is false for a status seen before, a stale one,
        /// or one that only rescheduled the next query.
        case applied(RefundPaymentRecord, changed: Bool)
        /// No refund has this provider number. A notification for it should be answered with a
        /// failure so the provider sends it again (providers retry notifications).
        case unknownRefund
    }

    /// Applies a provider's status for the refund numbered `providerRefundNo`: the entry point for
    /// asynchronous notifications (WeChat Pay REFUND.SUCCESS/ABNORMAL/CLOSED, Alipay's notify, the
    /// bank's settlement notice) and for our own queries.
    ///
    /// R-C9: one write transaction reads the stored state and applies what the state machine
    /// (``RefundPaymentRecord/steps(for:)``) says, so a notification that arrives before our own
    /// SENT was committed moves PENDING straight on (SENT is recorded with it), one that arrives
    /// twice changes nothing the second time, and a stale one (PROCESSING after SUCCESS) is
    /// ignored. A final state moves again only for a reversal or a late success, with an alert
    /// (R-C8). Ledger entries, messages and alerts are written in the same transaction.
    ///
    /// Scheduling (R-C6): a query that finds the refund still processing doubles the interval to
    /// the next one; a notification that leaves it in flight brings the next query forward to now.
    public func applyProviderStatus(
        providerRefundNo: String,
        status: ChannelRefundStatus,
        source: StatusSource,
        at nowMs: Int64
    ) async throws -> StatusOutcome {
        let context = self.context
        return try await store.writeIgnoringCancellation { db in
            guard
                var refund = try db.row(
                    "SELECT * FROM refund_payments WHERE provider_refund_no = ?",
                    [providerRefundNo]
                ).map(RefundPaymentRecord.init(row:))
            else { return .unknownRefund }
            let before = refund
            try RefundMovements.apply(db, &refund, steps: refund.steps(for: status), context: context, at: nowMs)
            if refund.state == .sent {
                switch source {
                case .query:
                    let interval = context.settings.nextQueryInterval(after: refund.queryIntervalMs)
                    refund.queryIntervalMs = interval
                    refund.nextQueryAtMs = nowMs + interval
                case .notification:
                    refund.nextQueryAtMs = min(refund.nextQueryAtMs ?? nowMs, nowMs)
                }
                try RefundMovements.save(db, refund)
            }
            return .applied(refund, changed: refund.state != before.state)
        }
    }

    /// Records a provider's answer to a submission claimed with ``claimSubmission(_:resubmit:at:)``
    /// and releases the claim. Accepted: PENDING → SENT, then any status the answer carried.
    /// Refused: → FAILED with the reason and the provider's code. Rate limited (R-C7): the refund
    /// waits (`not_before_ms`) and is submitted again; it never fails for that.
    @discardableResult
    public func applySubmission(
        _ refundID: String,
        answer: ChannelSubmission,
        at nowMs: Int64
    ) async throws
        -> RefundPaymentRecord?
    {
        let context = self.context
        return try await store.writeIgnoringCancellation { db in
            guard var refund = try Self.refund(db, id: refundID) else { return nil }
            let resubmission = refund.state == .sent
            refund.submittingUntilMs = nil
            switch answer {
            case .accepted(let status):
                var steps: [RefundPaymentRecord.Step] = []
                if refund.state == .pending { steps.append(.send) }
                try RefundMovements.apply(db, &refund, steps: steps, context: context, at: nowMs)
                if let status {
                    try RefundMovements.apply(
                        db,
                        &refund,
                        steps: refund.steps(for: status),
                        context: context,
                        at: nowMs
                    )
                }
            case .refused(let reason, let code):
                if refund.state == .pending || refund.state == .sent {
                    let text = code.isEmpty ? reason : "\(reason) [\(code)]"
                    try RefundMovements.apply(db, &refund, steps: [.fail(reason: text)], context: context, at: nowMs)
                }
            case .rateLimited(let retryAfterMs):
                refund.notBeforeMs = nowMs + max(1, retryAfterMs ?? context.settings.rateLimitedRetryMs)
            }
            if resubmission, refund.state == .sent {
                // A SENT refund submitted again (the provider had lost it, or an operator's retry):
                // the next query waits its turn instead of asking again at once.
                if case .rateLimited = answer {
                    refund.nextQueryAtMs = refund.notBeforeMs
                } else {
                    let interval = context.settings.nextQueryInterval(after: refund.queryIntervalMs)
                    refund.queryIntervalMs = interval
                    refund.nextQueryAtMs = nowMs + interval
                }
            }
            try RefundMovements.save(db, refund)
            return refund
        }
    }

    /// Counts a provider call that got no answer and releases the claim; the refund stays as it
    /// was and is retried with the same refund number (R-C6) after a backoff (1 s doubling to 60 s).
    public func recordAttemptError(_ refundID: String, error: String, at nowMs: Int64) async throws {
        try await store.writeIgnoringCancellation { db in
            guard var refund = try Self.refund(db, id: refundID) else { return }
            let backoff = min(Int64(1_000) << Int64(min(refund.attempts, 6)), 60_000)
            refund.submittingUntilMs = nil
            if refund.state == .pending {
                refund.notBeforeMs = nowMs + backoff
            } else if refund.state == .sent {
                refund.nextQueryAtMs = nowMs + backoff
            }
            try RefundMovements.save(db, refund)
            try db.run(
                "UPDATE refund_payments SET attempts = attempts + 1, last_error = ? WHERE refund_id = ?",
                [error, refundID]
            )
        }
    }
}
