import Logging
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting

/// Talks to the providers for refund payments: submits, queries and reconciles, through the
/// ``ChannelAdapters`` of each payment method, and records every answer in the store.
///
/// The provider call happens outside any database transaction: the refund is committed as
/// PENDING with its provider number first, so a crash at any point leaves a record that the
/// ``RefundSettler`` submits again under the same number (R-C6). Before each submission the
/// store grants a claim (``PaymentStore/claimSubmission(_:resubmit:at:)``): one submission per
/// payment in flight at a time (R-C5), throttled per trade and per channel and merchant (R-C7).
public struct RefundPayer: Sendable {
    public let payments: PaymentStore
    public let adapters: ChannelAdapters
    let logger: Logger
    let now: @Sendable () -> Int64

    public init(
        payments: PaymentStore,
        adapters: ChannelAdapters,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        self.payments = payments
        self.adapters = adapters
        self.logger = logger
        self.now = now
    }

    /// Submits `refund` if it may go now, and returns it as stored after. A refund that must wait
    /// (another submission of its payment in flight, a throttle) is returned PENDING with its
    /// not-before time; a provider that does not answer leaves it as it was, with the attempt
    /// counted. Only store failures throw.
    @discardableResult
    public func submit(_ refund: RefundPaymentRecord, resubmit: Bool = false) async throws -> RefundPaymentRecord {
        guard refund.usesProvider else { return refund }
        let claim = try await payments.claimSubmission(refund.refundID, resubmit: resubmit, at: now())
        let claimed: RefundPaymentRecord
        let payment: CapturedPayment
        switch claim {
        case .claimed(let record, let captured):
            claimed = record
            payment = captured
        case .wait(let until, let reason):
            logger.debug(
                "refund waits its turn",
                metadata: ["refund.id": "\(refund.refundID)", "until": "\(until ?? 0)", "reason": "\(reason)"]
            )
            return try await payments.refund(id: refund.refundID) ?? refund
        case .notNeeded(let current):
            return current ?? refund
        }
        let answer: ChannelSubmission
        do {
            let adapter = try adapters.adapter(for: claimed.method)
            answer = try await adapter.submit(claimed.channelRequest(payment: payment))
            ProviderCallMetrics.record(method: claimed.method, operation: "submit", outcome: answer.outcomeName)
        } catch {
            ProviderCallMetrics.record(method: claimed.method, operation: "submit", outcome: "no_answer")
            logger.notice(
                "provider submission got no answer; will retry with the same refund number (R-C6)",
                metadata: [
                    "refund.id": "\(refund.refundID)", "refund.provider_no": "\(refund.providerRefundNo)",
                    "error": "\(error)",
                ]
            )
            try await payments.recordAttemptError(refund.refundID, error: "\(error)", at: now())
            return try await payments.refund(id: refund.refundID) ?? refund
        }
        if case .refused(let reason, let code) = answer {
            logger.notice(
                "provider refused the refund",
                metadata: ["refund.id": "\(refund.refundID)", "reason": "\(reason)", "provider.code": "\(code)"]
            )
        }
        return try await payments.applySubmission(refund.refundID, answer: answer, at: now()) ?? refund
    }

    /// Queries the provider about a SENT refund and applies the answer (R-C6). A provider that
    /// lost the refund (`notFound`) gets it again under the same number.
    @discardableResult
    public func query(_ refund: RefundPaymentRecord) async throws -> RefundPaymentRecord {
        let payment = try await payments.payment(orderID: refund.orderID, paymentID: refund.paymentID)
        if let wait = try await payments.takeCallToken(method: refund.method, merchantID: payment.merchantID, at: now())
        {
            logger.debug("query waits for the channel's rate limit (R-C7)", metadata: ["until": "\(wait)"])
            return refund
        }
        let status: ChannelRefundStatus
        do {
            status = try await adapters.adapter(for: refund.method).query(refund.channelRequest(payment: payment))
            ProviderCallMetrics.record(method: refund.method, operation: "query", outcome: status.outcomeName)
        } catch {
            ProviderCallMetrics.record(method: refund.method, operation: "query", outcome: "no_answer")
            try await payments.recordAttemptError(refund.refundID, error: "\(error)", at: now())
            return try await payments.refund(id: refund.refundID) ?? refund
        }
        if status == .notFound {
            // Our SENT record is ahead of the provider's (R-C9): submit again, same number (R-C6).
            return try await submit(refund, resubmit: true)
        }
        switch try await payments.applyProviderStatus(
            providerRefundNo: refund.providerRefundNo,
            status: status,
            source: .query,
            at: now()
        ) {
        case .applied(let after, _): return after
        case .unknownRefund: return refund
        }
    }

    /// Compares our refunds of `method` on `day` with the provider's bill (R-C6).
    public func reconcile(method: PaymentMethod, day: CivilDate) async throws -> Reconciliation {
        let bill = try await adapters.adapter(for: method).bill(day: day)
        let inputs = try await payments.reconciliationInputs(method: method, day: day, numbers: bill.map(\.refundNo))
        return Reconciliation(method: method, day: day, ours: inputs.ours, bill: bill, lookup: inputs.lookup)
    }
}
