@preconcurrency import Crypto
import Foundation

/// An Ed25519 private key that signs the tokens of one issuer (a service, the platform, the
/// staff identity provider), with the key id receivers look it up by.
///
/// File format (`<issuer>.key`, mode 0600), lines of `name=value`, `#` comments:
/// ```
/// kid=intake-20261206-3f2a
/// issuer=intake
/// ed25519-private=<base64 of the 32-byte seed>
/// ```
public struct SigningKey: Sendable {
    public let keyID: String
    public let issuer: String
    let privateKey: Curve25519.Signing.PrivateKey

    public var publicKey: Curve25519.Signing.PublicKey { privateKey.publicKey }

    public init(keyID: String, issuer: String, privateKey: Curve25519.Signing.PrivateKey = .init()) {
        self.keyID = keyID
        self.issuer = issuer
        self.privateKey = privateKey
    }

    /// A new key with a dated, random key id: `<issuer>-<yyyymmdd>-<4 hex>`.
    public static func generate(issuer: String, now: Date = Date()) -> SigningKey {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd"
        let suffix = String(UInt16.random(in: .min ... .max), radix: 16)
        let padded = String(repeating: "0", count: 4 - suffix.count) + suffix
        return SigningKey(keyID: "\(issuer)-\(formatter.string(from: now))-\(padded)", issuer: issuer)
    }

    /// The file's text.
    public var fileText: String {
        """
        # RefundMesh signing key of \(issuer): keep it secret (mode 0600). See docs/SECURITY.md.
        kid=\(keyID)
        issuer=\(issuer)
        ed25519-private=\(privateKey.rawRepresentation.base64EncodedString())

        """
    }

    /// Reads a key file.
    /// - Throws: ``KeyFileError`` saying what is missing or malformed.
    public init(contentsOfFile path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyFileError(path: path, problem: "cannot be read (does it exist, and may this user read it?)")
        }
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw KeyFileError(path: path, problem: "line \"\(trimmed.prefix(40))\" is not name=value")
            }
            fields[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        guard let keyID = fields["kid"], TrustStore.isValidName(keyID) else {
            throw KeyFileError(path: path, problem: "kid= is missing or not [A-Za-z0-9._-]{1,64}")
        }
        guard let issuer = fields["issuer"], TrustStore.isValidName(issuer) else {
            throw KeyFileError(path: path, problem: "issuer= is missing or not [A-Za-z0-9._-]{1,64}")
        }
        guard let seed = fields["ed25519-private"].flatMap({ Data(base64Encoded: $0) }),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        else {
            throw KeyFileError(path: path, problem: "ed25519-private= is missing or not a base64 32-byte Ed25519 seed")
        }
        self.init(keyID: keyID, issuer: issuer, privateKey: key)
    }

    /// Signs `message`.
    func signature(for message: some DataProtocol) throws -> Data {
        try privateKey.signature(for: message)
    }
}
