/// WeChat Pay's error answer: HTTP status + `{"code","message"}`.
public struct WeChatPayErrorBody: Codable, Sendable, Hashable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// Error codes the client treats specially (docs/PROVIDERS.md).
    public enum Code {
        /// 429: rate limited (R-C7).
        public static let frequencyLimited = "FREQUENCY_LIMITED"
        /// 500 (sometimes 4xx): outcome unknown; retry with the same out_refund_no (R-C6).
        public static let systemError = "SYSTEM_ERROR"
        /// 404: no refund under this out_refund_no.
        public static let resourceNotExists = "RESOURCE_NOT_EXISTS"
        public static let notEnough = "NOT_ENOUGH"
        public static let paramError = "PARAM_ERROR"
        public static let invalidRequest = "INVALID_REQUEST"
        public static let signError = "SIGN_ERROR"
    }
}
