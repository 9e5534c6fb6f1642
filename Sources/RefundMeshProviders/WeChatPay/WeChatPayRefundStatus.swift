/// WeChat Pay refund status (R-C8): PROCESSING, SUCCESS, CLOSED, ABNORMAL. Extensible: an unknown
/// value decodes and is kept, so a new status never fails a whole answer.
/// Coded as the bare string by the standard library's `RawRepresentable` `Codable` defaults
/// (`init(rawValue:)` never fails, so any value decodes).
public struct WeChatPayRefundStatus: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Accepted, money not yet arrived.
    public static let processing = WeChatPayRefundStatus(rawValue: "PROCESSING")
    /// Money arrived (may still be reversed later, R-C8).
    public static let success = WeChatPayRefundStatus(rawValue: "SUCCESS")
    /// Closed without moving money.
    public static let closed = WeChatPayRefundStatus(rawValue: "CLOSED")
    /// Not final: the user's account cannot receive it; needs a person or another destination (R-C8).
    public static let abnormal = WeChatPayRefundStatus(rawValue: "ABNORMAL")

    public var description: String { rawValue }
}
