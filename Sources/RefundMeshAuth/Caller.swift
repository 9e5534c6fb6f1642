import RefundMeshRPC

/// Who is making the call being served, as proven by a verified token.
///
/// ``AuthenticationInterceptor`` sets ``current`` for the handler's task after it verified the
/// token and checked the method's rule; handlers of user methods call
/// ``requireActing(forUser:)`` so that a user's token reaches that user's orders only.
public struct Caller: Sendable, Hashable {
    /// The user's id for a user; the service's name for a service; the person's id for staff.
    public let subject: String
    /// The roles the token asserts, each granted by the signing key.
    public let roles: Set<Role>
    /// Who signed the token (``TrustedKey/issuer``) and with which key.
    public let issuer: String
    public let keyID: String
    /// Unix seconds after which the token is no longer accepted.
    public let expiresAt: Int64
    /// The roles that admitted this call: ``roles`` that the method's rule allows. Set by
    /// ``AuthenticationInterceptor`` per call; a token with both `platform` and `user` calling a
    /// user-only method acts as `user` only, so ``requireActing(forUser:)`` still applies.
    public internal(set) var actingAs: Set<Role> = []

    public init(subject: String, roles: Set<Role>, issuer: String, keyID: String, expiresAt: Int64) {
        self.subject = subject
        self.roles = roles
        self.issuer = issuer
        self.keyID = keyID
        self.expiresAt = expiresAt
    }

    /// The caller of the call this task is serving; nil outside a served call or on a server
    /// without ``AuthenticationInterceptor`` (tests of handlers on their own).
    @TaskLocal public static var current: Caller?

    /// Refuses the call unless the current caller may act for `userID`: staff, platform and
    /// service roles the method's rule admitted may; a user only for themself.
    ///
    /// Call it first in every handler of a method whose rule is ``MethodRule/Access/users``,
    /// before anything is read, so another user's ids learn nothing.
    /// - Throws: ``RPCError`` PERMISSION_DENIED naming the token's subject.
    public static func requireActing(forUser userID: String) throws {
        guard let caller = current else { return }
        if caller.actingAs.contains(where: { $0 != .user }) { return }
        guard caller.subject == userID else {
            throw RPCError(
                code: .permissionDenied,
                message:
                    "this token is for user \(caller.subject) and may act only on that user's orders and refunds, not user \(userID.isEmpty ? "(none given)" : userID)"
            )
        }
    }

    /// Refuses a staff record (an operator's resolution, a dead letter put back) that names
    /// someone other than the signed-in staff member; an empty id is left to the handler's own
    /// validation.
    /// - Throws: ``RPCError`` PERMISSION_DENIED.
    public static func requireAttributed(to staffID: String) throws {
        guard let caller = current, caller.actingAs.contains(where: { $0 == .operator || $0 == .reviewer }),
            !staffID.isEmpty, staffID != caller.subject
        else { return }
        throw RPCError(
            code: .permissionDenied,
            message:
                "operator_id \(staffID.prefix(64)) is not the person this token was issued to (\(caller.subject)); records name who signed in (R-R10)"
        )
    }
}
