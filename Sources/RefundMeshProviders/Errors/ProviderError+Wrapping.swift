/// Turning a failure inside a client step (encoding, verifying, decoding) into a classified
/// ``ProviderError`` that keeps the failure as its cause: one place for the mapping every client
/// repeats per step.
extension ProviderError {
    /// Runs `body`; if it throws, throws a ``ProviderError`` of `code` with `message` and the error as
    /// its cause.
    /// - Parameter appendingCause: whether the message ends with `": <error>"`.
    static func wrapping<T>(
        _ code: Code,
        _ message: String,
        appendingCause: Bool = false,
        provider: String,
        httpStatus: Int? = nil,
        _ body: () throws -> T
    ) throws(ProviderError) -> T {
        do {
            return try body()
        } catch {
            throw ProviderError(
                code: code,
                message: appendingCause ? "\(message): \(error)" : message,
                provider: provider,
                httpStatus: httpStatus,
                cause: error
            )
        }
    }
}
