@preconcurrency import Crypto
import Foundation

/// The claims of a RefundMesh access token: a JWT (RFC 7519) signed with EdDSA/Ed25519
/// (RFC 8037), so the platform can mint user tokens with any JWT library.
///
/// Header `{"alg":"EdDSA","kid":…,"typ":"JWT"}`; payload below. Nothing else is accepted: no
/// other algorithm, no unsigned tokens, no key material in the header.
public struct TokenClaims: Codable, Sendable, Equatable {
    /// `iss`: the key's issuer.
    public var issuer: String
    /// `sub`: the user id, service name or staff member's id.
    public var subject: String
    /// `aud`: the services the token is for (their names), or `refundmesh` for all of them.
    public var audience: [String]
    public var roles: [String]
    /// `iat` and `exp`, Unix seconds.
    public var issuedAt: Int64
    public var expiresAt: Int64

    public init(
        issuer: String,
        subject: String,
        audience: [String],
        roles: [Role],
        issuedAt: Int64,
        expiresAt: Int64
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.roles = roles.map(\.rawValue)
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case issuer = "iss"
        case subject = "sub"
        case audience = "aud"
        case roles
        case issuedAt = "iat"
        case expiresAt = "exp"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        issuer = try container.decode(String.self, forKey: .issuer)
        subject = try container.decode(String.self, forKey: .subject)
        // RFC 7519 §4.1.3: a string or an array of strings.
        if let one = try? container.decode(String.self, forKey: .audience) {
            audience = [one]
        } else {
            audience = try container.decode([String].self, forKey: .audience)
        }
        roles = try container.decode([String].self, forKey: .roles)
        issuedAt = try container.decode(Int64.self, forKey: .issuedAt)
        expiresAt = try container.decode(Int64.self, forKey: .expiresAt)
    }
}

/// Mints and reads the compact form of an access token.
public enum AccessToken {
    /// The audience that every service accepts.
    public static let anyService = "refundmesh"
    /// Longer tokens are refused unread.
    public static let maxLength = 4096
    /// Clock skew forgiven on `iat` and `exp`.
    public static let leewaySeconds: Int64 = 60
    /// The longest lifetime (exp − iat) accepted: a stolen token is worth a day at most.
    public static let maxLifetimeSeconds: Int64 = 24 * 3600

    struct Header: Codable {
        var alg: String
        var kid: String
        var typ: String?
    }

    /// `header.payload.signature`, signed with `key`.
    public static func mint(_ claims: TokenClaims, key: SigningKey) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let header = Base64URL.encode(try encoder.encode(Header(alg: "EdDSA", kid: key.keyID, typ: "JWT")))
        let payload = Base64URL.encode(try encoder.encode(claims))
        let signingInput = header + "." + payload
        let signature = try key.signature(for: Data(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// Checks `token` against `trust` and returns its caller.
    /// - Parameters:
    ///   - audience: the receiving service's name; the token must name it or ``anyService``.
    ///   - now: Unix seconds.
    /// - Throws: ``AuthenticationError`` saying what is wrong.
    public static func verify(
        _ token: String,
        trust: TrustStore,
        audience: String,
        now: Int64
    ) throws -> Caller {
        guard token.utf8.count <= maxLength else {
            throw AuthenticationError(.tooLong, "the token is longer than \(maxLength) bytes")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]),
            let payloadData = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2])
        else {
            throw AuthenticationError(.malformed, "the token is not a JWT (three base64url parts separated by dots)")
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: headerData) else {
            throw AuthenticationError(.malformed, "the token's header is not JSON with alg and kid")
        }
        guard header.alg == "EdDSA" else {
            throw AuthenticationError(
                .malformed,
                "the token's algorithm is \(header.alg); only EdDSA (Ed25519) is accepted"
            )
        }
        guard let key = trust[header.kid] else {
            throw AuthenticationError(
                .unknownKey,
                "the token is signed with key \(header.kid.prefix(64)), which this service does not trust (rotated out, or from another deployment?)"
            )
        }
        let signingInput = parts[0] + "." + parts[1]
        guard key.publicKey.isValidSignature(signature, for: Data(signingInput.utf8)) else {
            throw AuthenticationError(.badSignature, "the token's signature does not match key \(key.keyID)")
        }
        // Only a signed payload is parsed.
        guard let claims = try? JSONDecoder().decode(TokenClaims.self, from: payloadData) else {
            throw AuthenticationError(
                .invalidClaims,
                "the token's claims must include iss, sub, aud, roles, iat and exp"
            )
        }
        guard claims.issuer == key.issuer else {
            throw AuthenticationError(
                .invalidClaims,
                "the token says it is issued by \(claims.issuer.prefix(64)) but key \(key.keyID) belongs to \(key.issuer)"
            )
        }
        guard now < claims.expiresAt + leewaySeconds else {
            throw AuthenticationError(
                .expired,
                "the token expired at \(claims.expiresAt) (Unix seconds); get a new one"
            )
        }
        guard claims.issuedAt <= now + leewaySeconds else {
            throw AuthenticationError(
                .notYetValid,
                "the token is issued in the future (iat \(claims.issuedAt)); check the issuer's clock"
            )
        }
        guard claims.expiresAt - claims.issuedAt <= maxLifetimeSeconds, claims.expiresAt > claims.issuedAt else {
            throw AuthenticationError(
                .invalidClaims,
                "the token's lifetime (exp − iat) must be positive and at most \(maxLifetimeSeconds) seconds"
            )
        }
        guard claims.audience.contains(audience) || claims.audience.contains(anyService) else {
            throw AuthenticationError(
                .wrongAudience,
                "the token is for \(claims.audience.joined(separator: ",").prefix(128)), not for \(audience)"
            )
        }
        guard Caller.isValidSubject(claims.subject) else {
            throw AuthenticationError(.invalidClaims, "the token's subject must be 1-128 printable characters")
        }
        guard !claims.roles.isEmpty else {
            throw AuthenticationError(.invalidClaims, "the token asserts no role")
        }
        var roles = Set<Role>()
        for name in claims.roles {
            let role = Role(name)
            guard key.grants.contains(role) else {
                throw AuthenticationError(
                    .roleNotGranted,
                    "key \(key.keyID) of \(key.issuer) may not grant the role \(name.prefix(64))"
                )
            }
            roles.insert(role)
        }
        return Caller(
            subject: claims.subject,
            roles: roles,
            issuer: key.issuer,
            keyID: key.keyID,
            expiresAt: claims.expiresAt
        )
    }
}

extension Caller {
    /// 1-128 bytes, no control characters.
    static func isValidSubject(_ subject: String) -> Bool {
        (1...128).contains(subject.utf8.count)
            && !subject.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
