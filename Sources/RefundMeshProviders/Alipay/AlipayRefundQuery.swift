/// `alipay.trade.fastpay.refund.query` biz_content.
public struct AlipayRefundQueryRequest: Codable, Sendable, Hashable {
    public var outTradeNo: String?
    public var tradeNo: String?
    public var outRequestNo: String

    public init(outTradeNo: String? = nil, tradeNo: String? = nil, outRequestNo: String) {
        self.outTradeNo = outTradeNo
        self.tradeNo = tradeNo
        self.outRequestNo = outRequestNo
    }

    enum CodingKeys: String, CodingKey {
        case outTradeNo = "out_trade_no"
        case tradeNo = "trade_no"
        case outRequestNo = "out_request_no"
    }
}

/// The `alipay_trade_fastpay_refund_query_response` node. `refundStatus` is `REFUND_SUCCESS` when
/// the refund's money moved; absent when Alipay has no (successful) refund under the number.
public struct AlipayRefundQueryResponse: AlipayResponseNode, Hashable {
    public static let refundSuccess = "REFUND_SUCCESS"

    public var code: String
    public var msg: String
    public var subCode: String?
    public var subMsg: String?
    public var tradeNo: String?
    public var outTradeNo: String?
    public var outRequestNo: String?
    /// `total_amount`, fen.
    public var totalAmountFen: Int64?
    /// `refund_amount`, fen.
    public var refundAmountFen: Int64?
    public var refundStatus: String?
    public var gmtRefundPay: String?

    public init(
        code: String = AlipayResponseStatus.Code.success,
        msg: String = "Success",
        subCode: String? = nil,
        subMsg: String? = nil,
        tradeNo: String? = nil,
        outTradeNo: String? = nil,
        outRequestNo: String? = nil,
        totalAmountFen: Int64? = nil,
        refundAmountFen: Int64? = nil,
        refundStatus: String? = nil,
        gmtRefundPay: String? = nil
    ) {
        self.code = code
        self.msg = msg
        self.subCode = subCode
        self.subMsg = subMsg
        self.tradeNo = tradeNo
        self.outTradeNo = outTradeNo
        self.outRequestNo = outRequestNo
        self.totalAmountFen = totalAmountFen
        self.refundAmountFen = refundAmountFen
        self.refundStatus = refundStatus
        self.gmtRefundPay = gmtRefundPay
    }

    /// True when Alipay confirms the refund's money moved.
    public var succeeded: Bool { refundStatus == Self.refundSuccess }

    enum CodingKeys: String, CodingKey {
        case code, msg
        case subCode = "sub_code"
        case subMsg = "sub_msg"
        case tradeNo = "trade_no"
        case outTradeNo = "out_trade_no"
        case outRequestNo = "out_request_no"
        case totalAmountFen = "total_amount"
        case refundAmountFen = "refund_amount"
        case refundStatus = "refund_status"
        case gmtRefundPay = "gmt_refund_pay"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        msg = try container.decode(String.self, forKey: .msg)
        subCode = try container.decodeIfPresent(String.self, forKey: .subCode)
        subMsg = try container.decodeIfPresent(String.self, forKey: .subMsg)
        tradeNo = try container.decodeIfPresent(String.self, forKey: .tradeNo)
        outTradeNo = try container.decodeIfPresent(String.self, forKey: .outTradeNo)
        outRequestNo = try container.decodeIfPresent(String.self, forKey: .outRequestNo)
        totalAmountFen = try container.decodeYuanIfPresent(forKey: .totalAmountFen)
        refundAmountFen = try container.decodeYuanIfPresent(forKey: .refundAmountFen)
        refundStatus = try container.decodeIfPresent(String.self, forKey: .refundStatus)
        gmtRefundPay = try container.decodeIfPresent(String.self, forKey: .gmtRefundPay)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(msg, forKey: .msg)
        try container.encodeIfPresent(subCode, forKey: .subCode)
        try container.encodeIfPresent(subMsg, forKey: .subMsg)
        try container.encodeIfPresent(tradeNo, forKey: .tradeNo)
        try container.encodeIfPresent(outTradeNo, forKey: .outTradeNo)
        try container.encodeIfPresent(outRequestNo, forKey: .outRequestNo)
        try container.encodeYuanIfPresent(totalAmountFen, forKey: .totalAmountFen)
        try container.encodeYuanIfPresent(refundAmountFen, forKey: .refundAmountFen)
        try container.encodeIfPresent(refundStatus, forKey: .refundStatus)
        try container.encodeIfPresent(gmtRefundPay, forKey: .gmtRefundPay)
    }
}
