/// Code that runs around every call a server handles: authentication, metrics, logging.
///
/// An interceptor may inspect or change the ``ServerContext``, throw an ``RPCError`` to refuse the
/// call before the handler runs, or observe how `next` ends. Interceptors run in the order the
/// server was given them; the first is outermost.
public protocol ServerInterceptor: Sendable {
    func intercept<Output: Sendable>(
        context: ServerContext,
        next: (ServerContext) async throws -> Output
    ) async throws -> Output
}
