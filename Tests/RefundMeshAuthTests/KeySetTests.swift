import Foundation
import RefundMeshAuth
import Testing

@Suite("key sets: files, rotation with two keys active, the verifier's memory")
struct KeySetTests {
    func temporaryKeySet() -> KeySet {
        KeySet(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("keyset-\(UUID().uuidString)")
        )
    }

    @Test("init makes every standard key once; private keys are 0600")
    func create() throws {
        let keySet = temporaryKeySet()
        defer { try? FileManager.default.removeItem(at: keySet.directory) }
        let created = try keySet.create()
        #expect(Set(created) == ["intake", "review", "payment-channel", "notification", "platform", "staff"])
        #expect(try keySet.create().isEmpty)
        let trust = try keySet.readTrust()
        #expect(trust.keys.count == 6)
        let attributes = try FileManager.default.attributesOfItem(atPath: keySet.keyFile(issuer: "intake").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let platform = try #require(trust.keys.values.first { $0.issuer == "platform" })
        #expect(platform.grants == [.platform, .user])
        let reparsed = try TrustStore(fileText: trust.fileText, path: "test")
        #expect(Set(reparsed.keys.keys) == Set(trust.keys.keys))
    }

    @Test("rotation: old and new tokens both work until the old key is retired")
    func rotation() throws {
        let keySet = temporaryKeySet()
        defer { try? FileManager.default.removeItem(at: keySet.directory) }
        try keySet.create()
        let verifier = TokenVerifier(trust: try keySet.readTrust(), audience: "payment-channel")
        let oldMinter = TokenMinter(keys: try keySet.keyring())
        let oldToken = try oldMinter.token(subject: "review", role: .review, audience: "payment-channel")
        #expect(try verifier.verify(oldToken).subject == "review")

        let (old, new) = try keySet.rotate(issuer: "review")
        #expect(old != new)
        verifier.replaceTrust(try keySet.readTrust())
        let newToken = try TokenMinter(keys: try keySet.keyring()).token(
            subject: "review",
            role: .review,
            audience: "payment-channel"
        )
        #expect(try verifier.verify(newToken).keyID == new)
        #expect(try verifier.verify(oldToken).keyID == old)

        #expect(throws: KeyFileError.self) { try keySet.retire(keyID: new) }  // still signing with it
        try keySet.retire(keyID: old)
        verifier.replaceTrust(try keySet.readTrust())
        #expect(throws: AuthenticationError.self) { try verifier.verify(oldToken) }
        #expect(try verifier.verify(newToken).keyID == new)
    }

    @Test("malformed trust and key files are refused with the line")
    func malformedFiles() throws {
        #expect(throws: KeyFileError.self) { try TrustStore(fileText: "k1 platform user notbase64", path: "t") }
        #expect(throws: KeyFileError.self) { try TrustStore(fileText: "# nothing\n", path: "t") }
        #expect(throws: KeyFileError.self) { try TrustStore(fileText: "k 1 platform user AAAA", path: "t") }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).key").path
        try "kid=x\nissuer=y\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: KeyFileError.self) { try SigningKey(contentsOfFile: path) }
    }

    /// A new signing key for `issuer` (key id `<issuer>-1`) and a trust store of just that key.
    static func oneTrustedKey(issuer: String, grant: Role) -> (SigningKey, TrustStore) {
        let key = SigningKey(keyID: "\(issuer)-1", issuer: issuer)
        let trust = TrustStore([
            TrustedKey(keyID: key.keyID, issuer: issuer, grants: [grant], publicKey: key.publicKey)
        ])
        return (key, trust)
    }

    @Test("the verifier remembers verified tokens until they expire, and forgets them when trust changes")
    func verifierMemory() throws {
        let (key, trusted) = Self.oneTrustedKey(issuer: "staff", grant: .operator)
        let clock = ManualClock(1_800_000_000)
        let verifier = TokenVerifier(trust: trusted, audience: "review", clock: { clock.now })
        let minter = TokenMinter(keys: [(key, [.operator])], lifetimeSeconds: 120, clock: { clock.now })
        let token = try minter.token(subject: "alice", role: .operator, audience: "review")
        #expect(try minter.token(subject: "alice", role: .operator, audience: "review") == token)
        #expect(try verifier.verify(token).subject == "alice")
        clock.now += 200  // past exp + leeway
        #expect(throws: AuthenticationError.self) { try verifier.verify(token) }
        #expect(try minter.token(subject: "alice", role: .operator, audience: "review") != token)
        let fresh = try minter.token(subject: "alice", role: .operator, audience: "review")
        #expect(try verifier.verify(fresh).subject == "alice")
        verifier.replaceTrust(TrustStore([]))
        #expect(throws: AuthenticationError.self) { try verifier.verify(fresh) }
    }

    @Test("a full memory drops expired tokens first, then the quarter that expires soonest, not everything")
    func verifierMemoryLimit() throws {
        let (key, trusted) = Self.oneTrustedKey(issuer: "platform", grant: .user)
        let clock = ManualClock(1_800_000_000)
        let verifier = TokenVerifier(trust: trusted, audience: "intake", cacheLimit: 8, clock: { clock.now })
        let minter = TokenMinter(keys: [(key, [.user])], lifetimeSeconds: 600, clock: { clock.now })
        // Eight users' tokens, minted a second apart: user 0's expires first.
        var tokens: [String] = []
        for user in 0..<8 {
            tokens.append(try minter.token(subject: "u\(user)", role: .user, audience: "intake"))
            clock.now += 1
        }
        for token in tokens { _ = try verifier.verify(token) }
        #expect(verifier.rememberedCount == 8)

        // The ninth finds the memory full and nothing expired: the six newest stay, and it joins them.
        let ninth = try minter.token(subject: "u8", role: .user, audience: "intake")
        #expect(try verifier.verify(ninth).subject == "u8")
        #expect(verifier.rememberedCount == 7)
        // A kept token is answered from memory (the count does not move); a dropped one is
        // verified again and remembered again.
        #expect(try verifier.verify(tokens[7]).subject == "u7")
        #expect(verifier.rememberedCount == 7)
        #expect(try verifier.verify(tokens[0]).subject == "u0")
        #expect(verifier.rememberedCount == 8)

        // Once expired, tokens are what goes first: 11 minutes on, everything remembered has
        // expired, and a new token finds a memory of one.
        clock.now += 660
        let later = try minter.token(subject: "u9", role: .user, audience: "intake")
        _ = try verifier.verify(later)
        #expect(verifier.rememberedCount == 1)
    }
}

final class ManualClock: @unchecked Sendable {
    // @unchecked: tests change it between calls on one task.
    var now: Int64
    init(_ now: Int64) { self.now = now }
}
