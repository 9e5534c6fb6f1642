/// The bank's and the game operator's error body `{"code","message"}`.
public struct ProviderErrorBody: Codable, Sendable, Hashable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// Codes the bank and operator clients treat specially.
    public enum Code {
        public static let rateLimited = "RATE_LIMITED"
        public static let systemError = "SYSTEM_ERROR"
        public static let signError = "SIGN_ERROR"
        public static let notFound = "NOT_FOUND"
        /// The same refund_no with different content (a second refund must use a new number).
        public static let refundNoConflict = "REFUND_NO_CONFLICT"
        public static let amountExceedsPayment = "AMOUNT_EXCEEDS_PAYMENT"
        public static let paymentNotFound = "PAYMENT_NOT_FOUND"
    }
}
