import RefundMeshProviders

/// How a ``ProviderError`` from a RefundMeshProviders client becomes what ``ChannelAdapter``
/// promises its caller (R-C6, R-C7), in one place for the three adapters.
enum ProviderCallOutcome {
    /// The answer to a submission the provider did not take: rate limited (R-C7) or refused for
    /// good. Anything else is rethrown: the outcome is unknown (timeout, 5xx, SYSTEM_ERROR, a
    /// signature that did not verify) or nothing was sent, and the caller retries with the same
    /// refund number (R-C6).
    ///
    /// A refusal because of our own signature (`SIGN_ERROR`, HTTP 401) is rethrown too: the
    /// provider did nothing, and failing the refund for a key we have to fix would be wrong.
    static func submission(after error: any Error) throws -> ChannelSubmission {
        guard let error = error as? ProviderError else { throw error }
        switch error.code {
        case .rateLimited:
            return .rateLimited(retryAfterMs: error.retryAfter?.wholeMilliseconds)
        case .refused, .notFound:
            if error.httpStatus == 401 || error.providerCode == "SIGN_ERROR"
                || error.providerCode == "isv.invalid-signature"
            {
                throw error
            }
            let reason = error.providerMessage.map { "\(error.message): \($0)" } ?? error.message
            return .refused(reason: reason, providerCode: error.providerCode ?? "")
        default:
            throw error
        }
    }

    /// The status of a query the provider answered "no such refund number": never reached it
    /// (R-C6: submitting again under the same number is safe). Anything else is rethrown.
    static func status(after error: any Error) throws -> ChannelRefundStatus {
        guard let error = error as? ProviderError, error.code == .notFound else { throw error }
        return .notFound
    }
}
