/// A signature, timestamp or encrypted payload that did not verify, naming what failed.
///
/// Thrown by every verify/parse function in this module (client and server halves); clients wrap
/// it in a ``ProviderError`` with code ``ProviderError/Code-swift.struct/badSignature``.
public struct SignatureVerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A required header or parameter is absent (``SignatureVerificationError/field`` names it).
        public static let missingField = Code("missing field")
        /// A header or parameter is present but malformed (not base64, not a number, bad syntax).
        public static let malformedField = Code("malformed field")
        /// The timestamp is outside the allowed skew: a replay or a wrong clock.
        public static let staleTimestamp = Code("stale timestamp")
        /// The signature does not match the message under the expected key.
        public static let signatureMismatch = Code("signature mismatch")
        /// The signer's key serial, merchant id or app id is not the one we expect.
        public static let unknownSigner = Code("unknown signer")
        /// AES-256-GCM authentication failed: wrong APIv3 key or tampered ciphertext/associated data.
        public static let decryptionFailed = Code("decryption failed")

        public var description: String { name }
    }

    /// What failed.
    public var code: Code
    /// The header, parameter or field concerned (e.g. `Wechatpay-Signature`, `sign`, `X-Bank-Timestamp`).
    public var field: String
    /// Details for a person.
    public var message: String

    public init(code: Code, field: String, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { "\(code) (\(field)): \(message)" }
}
