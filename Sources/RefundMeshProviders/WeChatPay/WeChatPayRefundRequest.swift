/// `POST /v3/refund/domestic/refunds` request body.
///
/// R-C6: `outRefundNo` is our refund's provider request number; a retry sends the same one.
public struct WeChatPayRefundRequest: Codable, Sendable, Hashable {
    /// Amounts in fen.
    public struct Amount: Codable, Sendable, Hashable {
        /// The amount to refund, fen.
        public var refund: Int64
        /// The original payment's total, fen.
        public var total: Int64
        /// Always "CNY".
        public var currency: String

        public init(refund: Int64, total: Int64, currency: String = "CNY") {
            self.refund = refund
            self.total = total
            self.currency = currency
        }
    }

    public var transactionID: String?
    public var outTradeNo: String?
    public var outRefundNo: String
    public var reason: String?
    /// Filled from ``WeChatPayConfiguration/notifyURL`` by the client when nil.
    public var notifyURL: String?
    public var fundsAccount: String?
    public var amount: Amount

    public init(
        transactionID: String? = nil,
        outTradeNo: String? = nil,
        outRefundNo: String,
        reason: String? = nil,
        notifyURL: String? = nil,
        fundsAccount: String? = nil,
        amount: Amount
    ) {
        self.transactionID = transactionID
        self.outTradeNo = outTradeNo
        self.outRefundNo = outRefundNo
        self.reason = reason
        self.notifyURL = notifyURL
        self.fundsAccount = fundsAccount
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey {
        case transactionID = "transaction_id"
        case outTradeNo = "out_trade_no"
        case outRefundNo = "out_refund_no"
        case reason
        case notifyURL = "notify_url"
        case fundsAccount = "funds_account"
        case amount
    }
}
