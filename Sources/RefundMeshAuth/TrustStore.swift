@preconcurrency import Crypto
import Foundation

/// A public key a service accepts tokens from, and the roles tokens signed with it may assert.
public struct TrustedKey: Sendable {
    public let keyID: String
    public let issuer: String
    /// The roles this key may grant; a token asserting any other is refused.
    public let grants: Set<Role>
    let publicKey: Curve25519.Signing.PublicKey

    public init(keyID: String, issuer: String, grants: Set<Role>, publicKey: Curve25519.Signing.PublicKey) {
        self.keyID = keyID
        self.issuer = issuer
        self.grants = grants
        self.publicKey = publicKey
    }

    /// The trust file's line for this key.
    public var line: String {
        "\(keyID) \(issuer) \(grants.sorted().map(\.rawValue).joined(separator: ",")) \(publicKey.rawRepresentation.base64EncodedString())"
    }
}

/// The keys a service trusts, by key id: read from the trust file (`trusted-keys`), one key per
/// line as `<kid> <issuer> <role,role…> <base64 Ed25519 public key>`, `#` comments.
///
/// Rotation keeps two keys of an issuer in the file at once: add the new one everywhere, switch
/// the issuer to sign with it, then remove the old one (docs/SECURITY.md, `refundctl keys`).
public struct TrustStore: Sendable {
    public private(set) var keys: [String: TrustedKey] = [:]

    public init(_ keys: [TrustedKey] = []) {
        for key in keys { self.keys[key.keyID] = key }
    }

    public subscript(keyID: String) -> TrustedKey? { keys[keyID] }

    /// Parses a trust file's text.
    /// - Throws: ``KeyFileError`` naming the line that is wrong.
    public init(fileText text: String, path: String) throws {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let where_ = "line \(index + 1)"
            guard fields.count == 4 else {
                throw KeyFileError(
                    path: path,
                    problem: "\(where_): expected `<kid> <issuer> <role,role…> <base64 Ed25519 public key>`"
                )
            }
            let keyID = String(fields[0])
            let issuer = String(fields[1])
            guard Self.isValidName(keyID), Self.isValidName(issuer) else {
                throw KeyFileError(path: path, problem: "\(where_): kid and issuer must be [A-Za-z0-9._-]{1,64}")
            }
            let grants = fields[2].split(separator: ",").map { Role(String($0)) }
            guard !grants.isEmpty, grants.allSatisfy({ Self.isValidName($0.rawValue) }) else {
                throw KeyFileError(path: path, problem: "\(where_): roles must be a comma-separated list of names")
            }
            guard let raw = Data(base64Encoded: String(fields[3])),
                let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
            else {
                throw KeyFileError(path: path, problem: "\(where_): the public key is not a base64 32-byte Ed25519 key")
            }
            guard keys[keyID] == nil else {
                throw KeyFileError(path: path, problem: "\(where_): key id \(keyID) appears twice")
            }
            keys[keyID] = TrustedKey(keyID: keyID, issuer: issuer, grants: Set(grants), publicKey: publicKey)
        }
        guard !keys.isEmpty else {
            throw KeyFileError(path: path, problem: "trusts no key; every call would be refused")
        }
    }

    /// Reads a trust file.
    public init(contentsOfFile path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyFileError(path: path, problem: "cannot be read (does it exist, and may this user read it?)")
        }
        try self.init(fileText: text, path: path)
    }

    /// The file's text, keys sorted by issuer then key id.
    public var fileText: String {
        var text = """
            # RefundMesh trusted keys: <kid> <issuer> <roles the key may grant> <Ed25519 public key>.
            # Public; every service reads it. See docs/SECURITY.md.

            """
        for key in keys.values.sorted(by: { ($0.issuer, $0.keyID) < ($1.issuer, $1.keyID) }) {
            text += key.line + "\n"
        }
        return text
    }

    public mutating func insert(_ key: TrustedKey) { keys[key.keyID] = key }
    public mutating func remove(keyID: String) -> TrustedKey? { keys.removeValue(forKey: keyID) }

    /// 1-64 of `[A-Za-z0-9._-]`.
    static func isValidName(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                    return true
                default:
                    return false
                }
            }
    }
}
