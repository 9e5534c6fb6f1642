import Foundation
import RefundMeshAuth
import Testing

@Suite("access tokens: JWTs signed with Ed25519")
struct AccessTokenTests {
    let platform = SigningKey(keyID: "platform-1", issuer: "platform")
    let intake = SigningKey(keyID: "intake-1", issuer: "intake")
    var trust: TrustStore {
        TrustStore([
            TrustedKey(
                keyID: "platform-1",
                issuer: "platform",
                grants: [.platform, .user],
                publicKey: platform.publicKey
            ),
            TrustedKey(keyID: "intake-1", issuer: "intake", grants: [.intake], publicKey: intake.publicKey),
        ])
    }
    let now: Int64 = 1_800_000_000

    func claims(
        issuer: String = "platform",
        subject: String = "u1",
        audience: [String] = ["intake"],
        roles: [Role] = [.user],
        issuedAt: Int64? = nil,
        expiresAt: Int64? = nil
    ) -> TokenClaims {
        TokenClaims(
            issuer: issuer,
            subject: subject,
            audience: audience,
            roles: roles,
            issuedAt: issuedAt ?? now,
            expiresAt: expiresAt ?? now + 600
        )
    }

    func refusal(_ token: String, audience: String = "intake") -> AuthenticationError.Code? {
        do {
            _ = try AccessToken.verify(token, trust: trust, audience: audience, now: now)
            return nil
        } catch let error as AuthenticationError {
            return error.code
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("a minted token verifies to its subject and roles")
    func roundTrip() throws {
        let token = try AccessToken.mint(claims(), key: platform)
        let caller = try AccessToken.verify(token, trust: trust, audience: "intake", now: now)
        #expect(caller.subject == "u1")
        #expect(caller.roles == [.user])
        #expect(caller.keyID == "platform-1")
        #expect(token.split(separator: ".").count == 3)
    }

    @Test("a token for every service is accepted by each")
    func anyService() throws {
        let token = try AccessToken.mint(claims(audience: [AccessToken.anyService]), key: platform)
        for service in ["intake", "review", "payment-channel", "notification"] {
            #expect(refusal(token, audience: service) == nil)
        }
    }

    @Test("a changed payload, header or signature is refused")
    func tampered() throws {
        let token = try AccessToken.mint(claims(), key: platform)
        let parts = token.split(separator: ".").map(String.init)
        // The same claims with operator added, re-encoded, under the original signature.
        let forged = try AccessToken.mint(claims(roles: [.user, .platform]), key: platform).split(separator: ".")[1]
        #expect(refusal([parts[0], String(forged), parts[2]].joined(separator: ".")) == .badSignature)
        var signature = Array(parts[2])
        signature[5] = signature[5] == "A" ? "B" : "A"
        #expect(refusal([parts[0], parts[1], String(signature)].joined(separator: ".")) == .badSignature)
        // Signed by intake's key but claiming to be platform's key.
        let wrongKey = try AccessToken.mint(claims(issuer: "intake", roles: [.intake]), key: intake)
        let wrongParts = wrongKey.split(separator: ".").map(String.init)
        #expect(refusal([parts[0], wrongParts[1], wrongParts[2]].joined(separator: ".")) == .badSignature)
        #expect(refusal("not a token") == .malformed)
        #expect(refusal(String(repeating: "a", count: 5000)) == .tooLong)
    }

    @Test("alg none and other algorithms are refused")
    func algorithmNone() throws {
        let header = Data(#"{"alg":"none","kid":"platform-1"}"#.utf8).base64URL
        let payload = try JSONEncoder().encode(claims()).base64URL
        #expect(refusal("\(header).\(payload).") == .malformed)
        let hs256 = Data(#"{"alg":"HS256","kid":"platform-1"}"#.utf8).base64URL
        #expect(refusal("\(hs256).\(payload).c2lnbmF0dXJl") == .malformed)
    }

    @Test("expired, issued in the future, too long-lived: refused")
    func lifetimes() throws {
        #expect(
            refusal(try AccessToken.mint(claims(issuedAt: now - 900, expiresAt: now - 100), key: platform)) == .expired
        )
        #expect(
            refusal(try AccessToken.mint(claims(issuedAt: now + 600, expiresAt: now + 900), key: platform))
                == .notYetValid
        )
        #expect(
            refusal(try AccessToken.mint(claims(issuedAt: now, expiresAt: now + 3 * 86_400), key: platform))
                == .invalidClaims
        )
        // Within the leeway is still fine.
        #expect(refusal(try AccessToken.mint(claims(issuedAt: now - 600, expiresAt: now - 30), key: platform)) == nil)
    }

    @Test("a key cannot grant roles the trust file does not give it")
    func roleNotGranted() throws {
        #expect(refusal(try AccessToken.mint(claims(roles: [.operator]), key: platform)) == .roleNotGranted)
        // intake's key cannot make anyone the platform, or review.
        let intakeAsPlatform = try AccessToken.mint(
            claims(issuer: "intake", subject: "intake", roles: [.platform]),
            key: intake
        )
        #expect(refusal(intakeAsPlatform) == .roleNotGranted)
        let intakeAsReview = try AccessToken.mint(
            claims(issuer: "intake", subject: "review", roles: [.review]),
            key: intake
        )
        #expect(refusal(intakeAsReview) == .roleNotGranted)
    }

    @Test("a token for another service is refused (no replay across services)")
    func wrongAudience() throws {
        let token = try AccessToken.mint(claims(audience: ["notification"]), key: platform)
        #expect(refusal(token, audience: "payment-channel") == .wrongAudience)
        #expect(refusal(token, audience: "notification") == nil)
    }

    @Test("an unknown key id is refused")
    func unknownKey() throws {
        let stranger = SigningKey(keyID: "platform-9", issuer: "platform")
        #expect(refusal(try AccessToken.mint(claims(), key: stranger)) == .unknownKey)
        // The right key id, the wrong private key.
        let impostor = SigningKey(keyID: "platform-1", issuer: "platform")
        #expect(refusal(try AccessToken.mint(claims(), key: impostor)) == .badSignature)
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
