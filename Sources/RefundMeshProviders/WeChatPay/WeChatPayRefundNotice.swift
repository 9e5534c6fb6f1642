/// The decrypted resource of a refund notification.
public struct WeChatPayRefundNotice: Codable, Sendable, Hashable {
    /// Amounts in fen.
    public struct Amount: Codable, Sendable, Hashable {
        public var total: Int64
        public var refund: Int64
        public var payerTotal: Int64
        public var payerRefund: Int64

        public init(total: Int64, refund: Int64, payerTotal: Int64, payerRefund: Int64) {
            self.total = total
            self.refund = refund
            self.payerTotal = payerTotal
            self.payerRefund = payerRefund
        }

        enum CodingKeys: String, CodingKey {
            case total, refund
            case payerTotal = "payer_total"
            case payerRefund = "payer_refund"
        }
    }

    public var merchantID: String
    public var transactionID: String?
    public var outTradeNo: String?
    public var refundID: String
    public var outRefundNo: String
    public var refundStatus: WeChatPayRefundStatus
    public var successTime: String?
    public var userReceivedAccount: String?
    public var amount: Amount

    public init(
        merchantID: String,
        transactionID: String?,
        outTradeNo: String?,
        refundID: String,
        outRefundNo: String,
        refundStatus: WeChatPayRefundStatus,
        successTime: String?,
        userReceivedAccount: String?,
        amount: Amount
    ) {
        self.merchantID = merchantID
        self.transactionID = transactionID
        self.outTradeNo = outTradeNo
        self.refundID = refundID
        self.outRefundNo = outRefundNo
        self.refundStatus = refundStatus
        self.successTime = successTime
        self.userReceivedAccount = userReceivedAccount
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey {
        case merchantID = "mchid"
        case transactionID = "transaction_id"
        case outTradeNo = "out_trade_no"
        case refundID = "refund_id"
        case outRefundNo = "out_refund_no"
        case refundStatus = "refund_status"
        case successTime = "success_time"
        case userReceivedAccount = "user_received_account"
        case amount
    }
}
