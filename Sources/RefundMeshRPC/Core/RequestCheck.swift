/// A check of each decoded request before its handler runs, set per call by an interceptor:
/// the authentication interceptor uses it so that a user's token reaches only requests for that
/// user (``UserScopedRequest``), for every user method, without each handler remembering to.
///
/// It runs for unary and server-streaming requests (where the request is decoded by the
/// runtime); streaming requests are the handler's to check.
public enum RequestCheck {
    @TaskLocal public static var current: (@Sendable (any Sendable) throws -> Void)?
}
