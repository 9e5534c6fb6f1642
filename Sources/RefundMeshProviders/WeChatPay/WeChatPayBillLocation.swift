/// `GET /v3/bill/tradebill` answer: where to download the day's bill and its hash.
public struct WeChatPayBillLocation: Codable, Sendable, Hashable {
    /// "SHA1".
    public var hashType: String
    /// `hash_value`: hex digest of the downloaded bill.
    public var hashHex: String
    public var downloadURL: String

    public init(hashType: String = "SHA1", hashHex: String, downloadURL: String) {
        self.hashType = hashType
        self.hashHex = hashHex
        self.downloadURL = downloadURL
    }

    enum CodingKeys: String, CodingKey {
        case hashType = "hash_type"
        case hashHex = "hash_value"
        case downloadURL = "download_url"
    }
}
