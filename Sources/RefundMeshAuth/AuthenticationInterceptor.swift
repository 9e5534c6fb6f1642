import Logging
import RefundMeshRPC

/// Authenticates and authorizes every call a server serves, before the handler runs:
/// no token or a bad one is UNAUTHENTICATED, a valid one whose roles the method's rule does not
/// admit is PERMISSION_DENIED, and a method without a rule is refused. The caller is then
/// ``Caller/current`` for the handler.
///
/// The token travels in the `authorization` metadata entry as `Bearer <JWT>`. Refusals are
/// logged at notice with the method, the peer, the token's subject and roles when known, and
/// the reason; never the token.
public struct AuthenticationInterceptor: ServerInterceptor {
    public static let metadataKey = "authorization"

    public let verifier: TokenVerifier
    public let policy: AuthorizationPolicy

    public init(verifier: TokenVerifier, policy: AuthorizationPolicy) {
        self.verifier = verifier
        self.policy = policy
    }

    public func intercept<Output: Sendable>(
        context: ServerContext,
        next: (ServerContext) async throws -> Output
    ) async throws -> Output {
        let caller = try authorize(context)
        guard let caller else { return try await next(context) }
        // Services act for no one in particular: nothing more to check per request.
        guard caller.actingAs.contains(where: { $0 == .user || $0 == .reviewer || $0 == .operator }) else {
            return try await Caller.$current.withValue(caller) { try await next(context) }
        }
        // A user's requests must name that user; a staff member's records must name them.
        return try await Caller.$current.withValue(caller) {
            try await RequestCheck.$current.withValue(Self.requireOwnRequest) { try await next(context) }
        }
    }

    /// The caller allowed to make this call; nil for a method anyone may call.
    /// - Throws: ``RPCError`` UNAUTHENTICATED or PERMISSION_DENIED.
    func authorize(_ context: ServerContext) throws -> Caller? {
        let path = context.method.path
        guard let rule = policy[path] else {
            throw refuse(
                context,
                RPCError(
                    code: .permissionDenied,
                    message: "\(path) has no authorization rule on this service, so nobody may call it"
                ),
                caller: nil
            )
        }
        if rule == .anyone { return nil }
        guard let header = context.metadata[Self.metadataKey] else {
            throw refuse(
                context,
                RPCError(
                    code: .unauthenticated,
                    message:
                        "\(path) needs an access token: send metadata `authorization: Bearer <JWT>` signed by a key this service trusts (docs/SECURITY.md)"
                ),
                caller: nil
            )
        }
        guard header.hasPrefix("Bearer "), header.utf8.count > 7 else {
            throw refuse(
                context,
                RPCError(code: .unauthenticated, message: "the authorization metadata must be `Bearer <JWT>`"),
                caller: nil
            )
        }
        var caller: Caller
        do {
            caller = try verifier.verify(String(header.dropFirst(7)))
        } catch let error as AuthenticationError {
            throw refuse(context, error.rpcError, caller: nil)
        }
        switch rule {
        case .anyone, .anyCaller:
            caller.actingAs = caller.roles
        case .roles(let allowed):
            // A service's token has one allowed role: no new set then.
            caller.actingAs = caller.roles.isSubset(of: allowed) ? caller.roles : caller.roles.intersection(allowed)
            guard !caller.actingAs.isEmpty else {
                throw refuse(
                    context,
                    RPCError(
                        code: .permissionDenied,
                        message:
                            "\(path) may be called by \(allowed.sorted().map(\.rawValue).joined(separator: ", ")); this token (\(caller.subject), roles \(caller.roles.sorted().map(\.rawValue).joined(separator: ", "))) has none of them"
                    ),
                    caller: caller
                )
            }
        }
        return caller
    }

    @Sendable static func requireOwnRequest(_ request: any Sendable) throws {
        if let scoped = request as? any UserScopedRequest { try Caller.requireActing(forUser: scoped.actingUserID) }
        if let attributed = request as? any StaffAttributedRequest {
            try Caller.requireAttributed(to: attributed.attributedStaffID)
        }
    }

    private func refuse(_ context: ServerContext, _ error: RPCError, caller: Caller?) -> RPCError {
        var metadata: Logger.Metadata = [
            "rpc.peer": "\(context.peer)", "rpc.code": "\(error.code)", "auth.reason": "\(error.message)",
        ]
        if let caller {
            metadata["auth.subject"] = "\(caller.subject)"
            metadata["auth.roles"] = "\(caller.roles.sorted().map(\.rawValue).joined(separator: ","))"
            metadata["auth.key"] = "\(caller.keyID)"
        }
        context.logger.notice("call refused", metadata: metadata)
        return error
    }
}
