/// A WeChat Pay refund as answered by create (`POST /v3/refund/domestic/refunds`) and query
/// (`GET /v3/refund/domestic/refunds/{out_refund_no}`).
public struct WeChatPayRefund: Codable, Sendable, Hashable {
    /// Amounts in fen; WeChat always sends `total` and `refund`, the rest when relevant.
    public struct Amount: Codable, Sendable, Hashable {
        public var total: Int64
        public var refund: Int64
        public var payerTotal: Int64?
        public var payerRefund: Int64?
        public var settlementRefund: Int64?
        public var settlementTotal: Int64?
        public var discountRefund: Int64?
        public var refundFee: Int64?
        public var currency: String?

        public init(
            total: Int64,
            refund: Int64,
            payerTotal: Int64? = nil,
            payerRefund: Int64? = nil,
            settlementRefund: Int64? = nil,
            settlementTotal: Int64? = nil,
            discountRefund: Int64? = nil,
            refundFee: Int64? = nil,
            currency: String? = "CNY"
        ) {
            self.total = total
            self.refund = refund
            self.payerTotal = payerTotal
            self.payerRefund = payerRefund
            self.settlementRefund = settlementRefund
            self.settlementTotal = settlementTotal
            self.discountRefund = discountRefund
            self.refundFee = refundFee
            self.currency = currency
        }

        enum CodingKeys: String, CodingKey {
            case total, refund, currency
            case payerTotal = "payer_total"
            case payerRefund = "payer_refund"
            case settlementRefund = "settlement_refund"
            case settlementTotal = "settlement_total"
            case discountRefund = "discount_refund"
            case refundFee = "refund_fee"
        }
    }

    public var refundID: String
    public var outRefundNo: String
    public var transactionID: String?
    public var outTradeNo: String?
    public var channel: String?
    public var userReceivedAccount: String?
    /// RFC 3339, when the refund succeeded.
    public var successTime: String?
    public var createTime: String?
    public var status: WeChatPayRefundStatus
    public var fundsAccount: String?
    public var amount: Amount

    public init(
        refundID: String,
        outRefundNo: String,
        transactionID: String? = nil,
        outTradeNo: String? = nil,
        channel: String? = "ORIGINAL",
        userReceivedAccount: String? = nil,
        successTime: String? = nil,
        createTime: String? = nil,
        status: WeChatPayRefundStatus,
        fundsAccount: String? = nil,
        amount: Amount
    ) {
        self.refundID = refundID
        self.outRefundNo = outRefundNo
        self.transactionID = transactionID
        self.outTradeNo = outTradeNo
        self.channel = channel
        self.userReceivedAccount = userReceivedAccount
        self.successTime = successTime
        self.createTime = createTime
        self.status = status
        self.fundsAccount = fundsAccount
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey {
        case refundID = "refund_id"
        case outRefundNo = "out_refund_no"
        case transactionID = "transaction_id"
        case outTradeNo = "out_trade_no"
        case channel
        case userReceivedAccount = "user_received_account"
        case successTime = "success_time"
        case createTime = "create_time"
        case status
        case fundsAccount = "funds_account"
        case amount
    }
}
