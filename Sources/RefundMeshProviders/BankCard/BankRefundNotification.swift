/// A bank notification POSTed to the merchant's notify URL (HMAC-signed like answers).
public struct BankRefundNotification: Codable, Sendable, Hashable {
    /// Deduplicate on it (R-C9).
    public var notificationID: String
    public var merchantID: String
    public var occurredAtMs: Int64
    public var refund: BankRefund

    public init(notificationID: String, merchantID: String, occurredAtMs: Int64, refund: BankRefund) {
        self.notificationID = notificationID
        self.merchantID = merchantID
        self.occurredAtMs = occurredAtMs
        self.refund = refund
    }

    enum CodingKeys: String, CodingKey {
        case notificationID = "notification_id"
        case merchantID = "merchant_id"
        case occurredAtMs = "occurred_at_ms"
        case refund
    }
}
