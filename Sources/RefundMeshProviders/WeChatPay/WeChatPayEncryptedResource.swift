/// The encrypted `resource` of a notification (``WeChatPayNotificationCrypto``).
public struct WeChatPayEncryptedResource: Codable, Sendable, Hashable {
    /// The only algorithm WeChat Pay v3 uses.
    public static let aes256GCM = "AEAD_AES_256_GCM"

    public var originalType: String
    public var algorithm: String
    public var ciphertext: String
    public var associatedData: String?
    public var nonce: String

    public init(originalType: String, algorithm: String, ciphertext: String, associatedData: String?, nonce: String) {
        self.originalType = originalType
        self.algorithm = algorithm
        self.ciphertext = ciphertext
        self.associatedData = associatedData
        self.nonce = nonce
    }

    enum CodingKeys: String, CodingKey {
        case originalType = "original_type"
        case algorithm, ciphertext
        case associatedData = "associated_data"
        case nonce
    }
}
