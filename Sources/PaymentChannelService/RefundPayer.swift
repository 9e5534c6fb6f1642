import Logging
import RefundMeshAPI
import RefundMeshHosting

/// Submits a PENDING refund payment to its provider and records the answer.
///
/// The provider call happens outside any database transaction: the refund is committed as
/// PENDING with its provider number first, so a crash at any point leaves a record that the
/// ``RefundSettler`` submits again under the same number (R-C6). Submissions of one refund may
/// overlap (the handler and the settler); the provider dedupes on the number and only one of
/// them moves the refund to SENT.
public struct RefundPayer: Sendable {
    public let payments: PaymentStore
    public let adapter: any ChannelAdapter
    let logger: Logger
    let now: @Sendable () -> Int64

    public init(
        payments: PaymentStore,
        adapter: any ChannelAdapter,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        self.payments = payments
        self.adapter = adapter
        self.logger = logger
        self.now = now
    }

    /// Submits `refund` (PENDING, or SENT that the provider lost) and returns it as stored after.
    ///
    /// A provider that does not answer leaves the refund as it was, with the attempt counted; it
    /// is retried later. Only store failures throw.
    @discardableResult
    public func submit(_ refund: RefundPaymentRecord) async throws -> RefundPaymentRecord {
        guard refund.usesProvider else { return refund }
        let payment = try await payments.payment(orderID: refund.orderID, paymentID: refund.paymentID)
        let answer: ChannelSubmission
        do {
            answer = try await adapter.submit(
                refundNo: refund.providerRefundNo,
                amountFen: refund.netFen,
                payment: payment
            )
        } catch {
            logger.notice(
                "provider submission got no answer; will retry with the same refund number (R-C6)",
                metadata: [
                    "refund.id": "\(refund.refundID)", "refund.provider_no": "\(refund.providerRefundNo)",
                    "error": "\(error)",
                ]
            )
            try await payments.recordAttemptError(refund.refundID, error: "\(error)")
            return try await payments.refund(id: refund.refundID) ?? refund
        }
        switch answer {
        case .accepted:
            return try await payments.markSent(refund.refundID, at: now()) ?? refund
        case .failed(let reason):
            logger.notice(
                "provider refused the refund",
                metadata: ["refund.id": "\(refund.refundID)", "reason": "\(reason)"]
            )
            return try await payments.markFailed(refund.refundID, reason: reason, at: now()) ?? refund
        }
    }
}
