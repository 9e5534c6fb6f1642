import Crypto
import Foundation

/// AES-256-GCM encryption of WeChat Pay notification resources under the merchant's APIv3 key.
///
/// `ciphertext` is base64 of the GCM ciphertext followed by its 16-byte tag; `nonce` is a
/// 12-character string used as its UTF-8 bytes; `associated_data` is authenticated, not encrypted.
public enum WeChatPayNotificationCrypto {
    /// Encrypts `plaintext` (server half).
    public static func encrypt(
        _ plaintext: Data,
        associatedData: String,
        originalType: String = "refund",
        key: SecretKey,
        nonce: String? = nil
    ) throws -> WeChatPayEncryptedResource {
        let nonceText = nonce ?? RandomText.alphanumeric(count: 12)
        let sealed = try AES.GCM.seal(
            plaintext,
            using: key.symmetricKey,
            nonce: try AES.GCM.Nonce(data: Data(nonceText.utf8)),
            authenticating: Data(associatedData.utf8)
        )
        var combined = Data(sealed.ciphertext)
        combined.append(contentsOf: sealed.tag)
        return WeChatPayEncryptedResource(
            originalType: originalType,
            algorithm: WeChatPayEncryptedResource.aes256GCM,
            ciphertext: combined.base64EncodedString(),
            associatedData: associatedData,
            nonce: nonceText
        )
    }

    /// Decrypts and authenticates a resource (client half).
    /// - Throws: ``SignatureVerificationError``: unsupported algorithm, malformed fields, or
    ///   `decryptionFailed` when the key is wrong or anything was tampered with.
    public static func decrypt(
        _ resource: WeChatPayEncryptedResource,
        key: SecretKey
    ) throws(SignatureVerificationError) -> Data {
        guard resource.algorithm == WeChatPayEncryptedResource.aes256GCM else {
            throw SignatureVerificationError(
                code: .malformedField,
                field: "resource.algorithm",
                message: "unsupported algorithm \(resource.algorithm)"
            )
        }
        guard let combined = Data(base64Encoded: resource.ciphertext), combined.count >= 16 else {
            throw SignatureVerificationError(
                code: .malformedField,
                field: "resource.ciphertext",
                message: "not base64 of ciphertext and a 16-byte tag"
            )
        }
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.SealedBox(
                nonce: try AES.GCM.Nonce(data: Data(resource.nonce.utf8)),
                ciphertext: combined.dropLast(16),
                tag: combined.suffix(16)
            )
        } catch {
            throw SignatureVerificationError(
                code: .malformedField,
                field: "resource.nonce",
                message: "nonce must be 12 bytes (\(error))"
            )
        }
        do {
            return try AES.GCM.open(
                box,
                using: key.symmetricKey,
                authenticating: Data((resource.associatedData ?? "").utf8)
            )
        } catch {
            throw SignatureVerificationError(
                code: .decryptionFailed,
                field: "resource.ciphertext",
                message: "AES-256-GCM authentication failed: wrong APIv3 key or tampered resource"
            )
        }
    }
}
