import RefundMeshAPI

/// A third-party payment channel (WeChat Pay, Alipay, a bank card acquirer) as payment-channel
/// uses it: submit a refund under our refund number, then ask about it until it is final.
///
/// R-C6: callers always pass the number fixed in the refund payment, on the first call and on
/// every retry, and an adapter must pass it to the provider unchanged (WeChat Pay's
/// `out_refund_no`, Alipay's `out_request_no`): that is what makes a retry safe. Calls may throw
/// (timeouts, connection errors); the caller then does not know whether the provider acted and
/// simply retries with the same number.
public protocol ChannelAdapter: Sendable {
    /// Asks the provider to refund `amountFen` of `payment` under `refundNo`.
    func submit(refundNo: String, amountFen: Int64, payment: CapturedPayment) async throws -> ChannelSubmission

    /// Where the refund numbered `refundNo` stands at the provider.
    func query(refundNo: String) async throws -> ChannelRefundStatus
}

/// A provider's answer to a submission.
public enum ChannelSubmission: Sendable, Hashable {
    /// The provider took the refund (or already had it under this number); its state is queried
    /// until final.
    case accepted
    /// The provider refused it for good, e.g. more than the payment, or past its 365 days (R-C7).
    case failed(reason: String)
}

/// What a provider says about a submitted refund (R-C8: mapped faithfully, e.g. WeChat Pay
/// PROCESSING → processing, SUCCESS → succeeded, CLOSED → failed).
public enum ChannelRefundStatus: Sendable, Hashable {
    case processing
    case succeeded
    case failed(reason: String)
    /// The provider has no refund under this number: the submission never reached it. Submitting
    /// again with the same number is safe (R-C6).
    case notFound
}
