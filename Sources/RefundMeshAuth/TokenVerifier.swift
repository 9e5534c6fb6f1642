import Foundation
import Synchronization

/// Verifies the tokens one service receives, remembering those it has verified until they
/// expire, so a caller reusing its token (every service does, for minutes) costs a dictionary
/// lookup instead of an Ed25519 verification per call.
public final class TokenVerifier: Sendable {
    private struct State {
        var trust: TrustStore
        var verified: [String: Caller] = [:]
    }

    /// The receiving service's name: tokens must be for it (or for every service).
    public let audience: String
    /// How many verified tokens are remembered. When it is reached, expired tokens are dropped,
    /// and if that is not enough, the quarter that expires soonest.
    public let cacheLimit: Int
    private let state: Mutex<State>
    private let clock: @Sendable () -> Int64

    /// - Parameters:
    ///   - clock: Unix seconds; the wall clock by default (tokens are about real time, even
    ///     when a service's business clock is shifted for a drill).
    public init(
        trust: TrustStore,
        audience: String,
        cacheLimit: Int = 10_000,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.state = Mutex(State(trust: trust))
        self.audience = audience
        self.cacheLimit = cacheLimit
        self.clock = clock
    }

    /// The keys trusted now.
    public var trust: TrustStore { state.withLock { $0.trust } }

    /// How many verified tokens are remembered now.
    public var rememberedCount: Int { state.withLock { $0.verified.count } }

    /// Trusts `trust` from now on (a rotated trust file) and forgets every verified token, so a
    /// removed key's tokens stop working at once.
    public func replaceTrust(_ trust: TrustStore) {
        state.withLock { state in
            state.trust = trust
            state.verified.removeAll()
        }
    }

    /// The caller `token` proves.
    /// - Throws: ``AuthenticationError``.
    public func verify(_ token: String) throws -> Caller {
        let now = clock()
        let (remembered, trust) = state.withLock { state in (state.verified[token], state.trust) }
        if let remembered, now < remembered.expiresAt + AccessToken.leewaySeconds { return remembered }
        let caller = try AccessToken.verify(token, trust: trust, audience: audience, now: now)
        state.withLock { state in
            if state.verified.count >= cacheLimit {
                state.verified = state.verified.filter { now < $0.value.expiresAt }
                if state.verified.count >= cacheLimit {
                    // Keep the three quarters that expire last (the newest tokens). Starting over
                    // instead made every caller's next call an Ed25519 verification at once, and
                    // intake's heap a saw-tooth of 5 MB under per-user tokens
                    // (docs/PERFORMANCE.md, "Memory, second look").
                    let kept = state.verified.sorted { $0.value.expiresAt > $1.value.expiresAt }
                        .prefix(cacheLimit * 3 / 4)
                    state.verified = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
                }
            }
            // Only if the trust did not change while verifying.
            if state.trust.keys[caller.keyID] != nil { state.verified[token] = caller }
        }
        return caller
    }
}
