import Crypto
import Foundation
import _CryptoExtras

/// Reads key material from files: RSA keys in PEM (PKCS#8 or PKCS#1 private keys, SPKI or PKCS#1
/// public keys; a bare base64 DER body as Alipay's key tool writes it is accepted too), and text
/// secrets (HMAC keys, the WeChat APIv3 key, certificate serials) with surrounding whitespace trimmed.
public enum KeyFile {
    /// Reads an RSA private key (≥ 2048 bits) for SHA256withRSA signing.
    /// - Throws: ``ProviderKeyError`` naming the file.
    public static func rsaPrivateKey(at path: String) throws -> _RSA.Signing.PrivateKey {
        let text = try self.text(at: path)
        do {
            if text.contains("-----BEGIN") { return try _RSA.Signing.PrivateKey(pemRepresentation: text) }
            guard let der = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                throw ProviderKeyError(path: path, reason: "neither PEM nor base64 DER")
            }
            return try _RSA.Signing.PrivateKey(derRepresentation: der)
        } catch let error as ProviderKeyError {
            throw error
        } catch {
            throw ProviderKeyError(path: path, reason: "not an RSA private key of at least 2048 bits (\(error))")
        }
    }

    /// Reads an RSA public key (≥ 2048 bits) for SHA256withRSA verification.
    /// - Throws: ``ProviderKeyError`` naming the file.
    public static func rsaPublicKey(at path: String) throws -> _RSA.Signing.PublicKey {
        let text = try self.text(at: path)
        do {
            if text.contains("-----BEGIN") { return try _RSA.Signing.PublicKey(pemRepresentation: text) }
            guard let der = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                throw ProviderKeyError(path: path, reason: "neither PEM nor base64 DER")
            }
            return try _RSA.Signing.PublicKey(derRepresentation: der)
        } catch let error as ProviderKeyError {
            throw error
        } catch {
            throw ProviderKeyError(path: path, reason: "not an RSA public key of at least 2048 bits (\(error))")
        }
    }

    /// Reads a text secret or identifier; surrounding whitespace and newlines are not part of it.
    /// - Throws: ``ProviderKeyError`` when the file cannot be read or is empty.
    public static func text(at path: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ProviderKeyError(path: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ProviderKeyError(path: path, reason: "is not UTF-8 text")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ProviderKeyError(path: path, reason: "is empty") }
        return trimmed
    }

    /// Reads an HMAC key: the file's trimmed text, used as its UTF-8 bytes (as banks hand keys out).
    public static func hmacKey(at path: String) throws -> SecretKey {
        let text = try self.text(at: path)
        guard text.utf8.count >= 16 else {
            throw ProviderKeyError(path: path, reason: "HMAC key is shorter than 16 bytes")
        }
        return SecretKey(text: text)
    }

    /// Reads the WeChat Pay APIv3 key: exactly 32 ASCII characters, used as the AES-256-GCM key.
    public static func weChatPayAPIv3Key(at path: String) throws -> SecretKey {
        let text = try self.text(at: path)
        guard text.utf8.count == 32 else {
            throw ProviderKeyError(path: path, reason: "APIv3 key must be 32 characters, found \(text.utf8.count)")
        }
        return SecretKey(text: text)
    }

    /// Writes `contents` to `path`, readable by the owner only (private keys and secrets).
    static func write(_ contents: String, to path: String, secret: Bool) throws {
        let attributes: [FileAttributeKey: Any] = [.posixPermissions: secret ? 0o600 : 0o644]
        guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8), attributes: attributes)
        else {
            throw ProviderKeyError(path: path, reason: "cannot be written")
        }
    }
}
