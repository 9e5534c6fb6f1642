import Foundation
import Synchronization

/// Mints tokens with a set of signing keys and reuses each until half its lifetime has passed,
/// so callers sign once every few minutes rather than on every call.
public final class TokenMinter: Sendable {
    struct Request: Hashable {
        var keyID: String
        var subject: String
        var role: Role
        var audience: String
    }

    private struct Minted {
        var token: String
        var renewAt: Int64
    }

    public typealias Keyring = [(key: SigningKey, grants: Set<Role>)]

    public let lifetimeSeconds: Int64
    private let keyring: Mutex<Keyring>
    private let minted = Mutex<[Request: Minted]>([:])
    private let clock: @Sendable () -> Int64

    public init(
        keys: Keyring,
        lifetimeSeconds: Int64 = 600,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.keyring = Mutex(keys)
        self.lifetimeSeconds = lifetimeSeconds
        self.clock = clock
    }

    /// Each key with the roles the trust file says it may grant.
    public var keys: Keyring { keyring.withLock { $0 } }

    /// Signs with `keys` from now on (a rotated key file); tokens already minted stay valid
    /// until they expire.
    public func replaceKeys(_ keys: Keyring) {
        keyring.withLock { $0 = keys }
        minted.withLock { $0.removeAll() }
    }

    /// Whether some key may grant `role`.
    public func canGrant(_ role: Role) -> Bool { keys.contains { $0.grants.contains(role) } }

    /// A token for `subject` in `role`, valid at `audience` (a service name or
    /// ``AccessToken/anyService``).
    /// - Throws: ``AuthenticationError`` `.roleNotGranted` when no key may grant `role`.
    public func token(subject: String, role: Role, audience: String) throws -> String {
        guard let key = keys.first(where: { $0.grants.contains(role) })?.key else {
            throw AuthenticationError(.roleNotGranted, "no signing key here may grant the role \(role)")
        }
        let request = Request(keyID: key.keyID, subject: subject, role: role, audience: audience)
        let now = clock()
        if let cached = minted.withLock({ $0[request] }), now < cached.renewAt { return cached.token }
        let claims = TokenClaims(
            issuer: key.issuer,
            subject: subject,
            audience: [audience],
            roles: [role],
            issuedAt: now,
            expiresAt: now + lifetimeSeconds
        )
        let token = try AccessToken.mint(claims, key: key)
        minted.withLock { minted in
            if minted.count > 10_000 { minted.removeAll() }
            minted[request] = Minted(token: token, renewAt: now + lifetimeSeconds / 2)
        }
        return token
    }
}
