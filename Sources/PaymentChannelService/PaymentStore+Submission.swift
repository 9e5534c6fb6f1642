import GRDB
import RefundMeshAPI
import RefundMeshStore

extension PaymentStore {
    /// The result of ``claimSubmission(_:resubmit:at:)``.
    public enum SubmissionClaim: Sendable {
        /// Submit now; nobody else submits a refund of this payment until the answer is recorded
        /// or the lease ends.
        case claimed(RefundPaymentRecord, CapturedPayment)
        /// Not now: another submission of the payment is in flight, or a throttle (R-C7) holds it
        /// until `untilMs`; the settler submits it when its turn comes.
        case wait(untilMs: Int64?, reason: String)
        /// Nothing to submit (no longer PENDING, or not a provider refund).
        case notNeeded(RefundPaymentRecord?)
    }

    /// Claims the right to submit `refundID` to its provider now (R-C5, R-C6, R-C7), in one write
    /// transaction: the refund is PENDING (or SENT, for a `resubmit` after the provider lost it or
    /// an operator's retry), no submission of any refund of the same payment is in flight (a lease
    /// of ``PaymentChannelConfiguration/submissionLeaseMs``), its not-before time has passed, the
    /// trade's interval has passed (WeChat one a minute, Alipay 3 s) and the channel's token bucket
    /// for the merchant has a token. The interval and the bucket are persisted, so a restart
    /// continues them; a refund that must wait gets `not_before_ms` set and is not failed.
    public func claimSubmission(
        _ refundID: String,
        resubmit: Bool = false,
        at nowMs: Int64
    ) async throws
        -> SubmissionClaim
    {
        let settings = self.settings
        return try await store.writeIgnoringCancellation { db in
            guard var refund = try Self.refund(db, id: refundID), refund.usesProvider,
                refund.state == .pending || (resubmit && refund.state == .sent)
            else { return .notNeeded(try Self.refund(db, id: refundID)) }
            if let until = refund.submittingUntilMs, until > nowMs {
                return .wait(untilMs: until, reason: "a submission of this refund is in flight")
            }
            if let busy = try db.value(
                Int64.self,
                """
                SELECT MAX(submitting_until_ms) FROM refund_payments
                WHERE payment_id = ? AND refund_id != ? AND submitting_until_ms > ?
                """,
                [refund.paymentID, refundID, nowMs]
            ) {
                return .wait(untilMs: busy, reason: "another refund of payment \(refund.paymentID) is being submitted")
            }
            if !resubmit, let notBefore = refund.notBeforeMs, notBefore > nowMs {
                return .wait(untilMs: notBefore, reason: "waiting its turn (R-C7)")
            }
            let payment = try Self.choosePayment(db, orderID: refund.orderID, paymentID: refund.paymentID)
            let interval = settings.orderIntervalMs[refund.method] ?? 0
            if interval > 0, !resubmit,
                let next = try db.value(
                    Int64.self,
                    "SELECT next_at_ms FROM order_slots WHERE payment_id = ?",
                    [refund.paymentID]
                ), next > nowMs
            {
                refund.notBeforeMs = next
                try RefundMovements.save(db, refund)
                return .wait(untilMs: next, reason: "one refund per trade every \(interval) ms (R-C7)")
            }
            if let wait = try Self.takeToken(
                db,
                method: refund.method,
                merchantID: payment.merchantID,
                settings: settings,
                at: nowMs
            ) {
                refund.notBeforeMs = wait
                try RefundMovements.save(db, refund)
                return .wait(untilMs: wait, reason: "channel rate limit (R-C7)")
            }
            if interval > 0, !resubmit {
                try db.run(
                    """
                    INSERT INTO order_slots (payment_id, next_at_ms) VALUES (?, ?)
                    ON CONFLICT (payment_id) DO UPDATE SET next_at_ms = excluded.next_at_ms
                    """,
                    [refund.paymentID, nowMs + interval]
                )
            }
            refund.submittingUntilMs = nowMs + settings.submissionLeaseMs
            try RefundMovements.save(db, refund)
            return .claimed(refund, payment)
        }
    }

    /// Takes a token for one outgoing call (a query) on `method` for `merchantID` (R-C7).
    /// - Returns: nil when the call may go now, else when to try again.
    public func takeCallToken(method: PaymentMethod, merchantID: String, at nowMs: Int64) async throws -> Int64? {
        let settings = self.settings
        return try await store.writeIgnoringCancellation { db in
            try Self.takeToken(db, method: method, merchantID: merchantID, settings: settings, at: nowMs)
        }
    }

    /// A token bucket per channel and merchant, persisted in `throttle_buckets`: it holds at most
    /// one second of calls and refills continuously at the configured rate.
    static func takeToken(
        _ db: some SQLSession,
        method: PaymentMethod,
        merchantID: String,
        settings: PaymentChannelConfiguration,
        at nowMs: Int64
    ) throws -> Int64? {
        guard let rate = settings.callsPerSecond[method], rate > 0 else { return nil }
        let bucket = "\(Ledger.methodKey(method)):\(merchantID)"
        let row = try db.row("SELECT tokens, updated_at_ms FROM throttle_buckets WHERE bucket = ?", [bucket])
        var state = TokenBucket(
            capacity: max(1, rate),
            tokens: try row.map { try $0["tokens"] as Double } ?? max(1, rate),
            updatedAtMs: try row.map { try $0["updated_at_ms"] as Int64 } ?? nowMs
        )
        let wait = state.take(ratePerSecond: rate, at: nowMs)
        try db.run(
            """
            INSERT INTO throttle_buckets (bucket, tokens, updated_at_ms) VALUES (?, ?, ?)
            ON CONFLICT (bucket) DO UPDATE SET tokens = excluded.tokens, updated_at_ms = excluded.updated_at_ms
            """,
            [bucket, state.tokens, state.updatedAtMs]
        )
        return wait
    }
}

/// A token bucket's arithmetic (R-C7), kept apart from storage so it can be tested alone.
public struct TokenBucket: Sendable, Hashable {
    public var capacity: Double
    public var tokens: Double
    public var updatedAtMs: Int64

    public init(capacity: Double, tokens: Double, updatedAtMs: Int64) {
        self.capacity = capacity
        self.tokens = tokens
        self.updatedAtMs = updatedAtMs
    }

    /// Refills for the time since the last call, then takes one token.
    /// - Returns: nil when a token was taken; otherwise the time one will be there (nothing taken).
    public mutating func take(ratePerSecond rate: Double, at nowMs: Int64) -> Int64? {
        let elapsed = max(0, nowMs - updatedAtMs)
        tokens = min(capacity, tokens + Double(elapsed) * rate / 1000)
        updatedAtMs = max(updatedAtMs, nowMs)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        // A hair below a whole millisecond counts as none (floating-point residue of the refill).
        let missingMs = ((1 - tokens) * 1000 / rate - 1e-6).rounded(.up)
        return updatedAtMs + max(1, Int64(missingMs))
    }
}

extension PaymentStore {
    /// Releases every submission claim: called once at startup, when no submission of this
    /// process can be in flight (one payment-channel process owns its store). A refund whose
    /// call died with the old process is then submitted again at once, under the same number
    /// (R-C6), instead of waiting out its lease.
    ///
    /// On PostgreSQL the store is shared by replicas, and another replica's claims may be live
    /// calls: nothing is released there, and a dead replica's claims run out with their lease.
    /// - Returns: how many claims were released.
    @discardableResult
    public func releaseAbandonedClaims() async throws -> Int {
        guard store.dialect == .sqlite else { return 0 }
        return try await store.write { db in
            try db.run("UPDATE refund_payments SET submitting_until_ms = NULL WHERE submitting_until_ms IS NOT NULL")
        }
    }
}

extension PaymentStore {
    /// R-C7 for pre-checks (R-A6): throws the same refusal ExecuteRefund would when a WeChat Pay
    /// refund of `payment` would be its 51st or come more than 365 days after payment.
    public func checkChannelLimits(payment: CapturedPayment, method: PaymentMethod, at nowMs: Int64) async throws {
        guard method == .wechatPay else { return }
        let settings = self.settings
        try await store.read { db in try Self.checkWeChatLimits(db, payment: payment, settings: settings, at: nowMs) }
    }
}
