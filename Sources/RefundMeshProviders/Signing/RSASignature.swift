import Crypto
import Foundation
import _CryptoExtras

/// SHA256withRSA with PKCS#1 v1.5 padding, base64 — what WeChat Pay v3 and Alipay RSA2 both use.
enum SHA256WithRSA {
    /// Signs `message` and returns the base64 signature.
    static func sign(_ message: Data, with key: _RSA.Signing.PrivateKey) throws -> String {
        let signature = try key.signature(for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
        return signature.rawRepresentation.base64EncodedString()
    }

    /// Verifies a base64 signature over `message`; `field` names the header/parameter for errors.
    static func verify(
        _ base64: String,
        message: Data,
        key: _RSA.Signing.PublicKey,
        field: String
    ) throws(SignatureVerificationError) {
        guard let raw = Data(base64Encoded: base64) else {
            throw SignatureVerificationError(code: .malformedField, field: field, message: "signature is not base64")
        }
        let signature = _RSA.Signing.RSASignature(rawRepresentation: raw)
        guard key.isValidSignature(signature, for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5) else {
            throw SignatureVerificationError(
                code: .signatureMismatch,
                field: field,
                message: "SHA256withRSA signature does not match the message under the expected public key"
            )
        }
    }
}
