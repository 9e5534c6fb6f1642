/// A notification whose platform signature verified and whose resource decrypted.
public struct WeChatPayVerifiedNotification: Sendable, Hashable {
    /// The notification id (deduplicate on it, R-C9).
    public var id: String
    public var eventType: String
    public var createTime: String
    public var notice: WeChatPayRefundNotice

    public init(id: String, eventType: String, createTime: String, notice: WeChatPayRefundNotice) {
        self.id = id
        self.eventType = eventType
        self.createTime = createTime
        self.notice = notice
    }
}
