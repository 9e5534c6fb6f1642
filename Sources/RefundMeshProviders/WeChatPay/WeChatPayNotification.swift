/// A WeChat Pay notification envelope as POSTed to the merchant's notify URL.
public struct WeChatPayNotification: Codable, Sendable, Hashable {
    public var id: String
    public var createTime: String
    /// `REFUND.SUCCESS`, `REFUND.ABNORMAL` or `REFUND.CLOSED`.
    public var eventType: String
    /// `encrypt-resource`.
    public var resourceType: String
    public var summary: String
    public var resource: WeChatPayEncryptedResource

    public init(
        id: String,
        createTime: String,
        eventType: String,
        resourceType: String = "encrypt-resource",
        summary: String,
        resource: WeChatPayEncryptedResource
    ) {
        self.id = id
        self.createTime = createTime
        self.eventType = eventType
        self.resourceType = resourceType
        self.summary = summary
        self.resource = resource
    }

    /// Event types of refund notifications.
    public enum EventType {
        public static let refundSuccess = "REFUND.SUCCESS"
        public static let refundAbnormal = "REFUND.ABNORMAL"
        public static let refundClosed = "REFUND.CLOSED"
    }

    enum CodingKeys: String, CodingKey {
        case id
        case createTime = "create_time"
        case eventType = "event_type"
        case resourceType = "resource_type"
        case summary, resource
    }
}
