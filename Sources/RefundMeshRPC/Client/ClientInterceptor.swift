/// Code that runs around every call a client makes: adding credentials, metrics, logging.
///
/// It may change the ``CallOptions`` (e.g. add metadata) before calling `next`, and sees how the
/// whole call (including retries) ends. The first interceptor is outermost.
public protocol ClientInterceptor: Sendable {
    func intercept<Output: Sendable>(
        method: MethodDescriptor,
        options: CallOptions,
        next: (CallOptions) async throws -> Output
    ) async throws -> Output
}
