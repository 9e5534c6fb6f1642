/// `alipay.trade.refund` biz_content. Amounts are fen in Swift and yuan strings on the wire.
///
/// R-C6: `outRequestNo` is our refund's provider request number; a retry sends the same one.
public struct AlipayRefundRequest: Codable, Sendable, Hashable {
    public var outTradeNo: String?
    public var tradeNo: String?
    /// `refund_amount`, fen (written "12.34").
    public var refundAmountFen: Int64
    public var outRequestNo: String
    public var refundReason: String?

    public init(
        outTradeNo: String? = nil,
        tradeNo: String? = nil,
        refundAmountFen: Int64,
        outRequestNo: String,
        refundReason: String? = nil
    ) {
        self.outTradeNo = outTradeNo
        self.tradeNo = tradeNo
        self.refundAmountFen = refundAmountFen
        self.outRequestNo = outRequestNo
        self.refundReason = refundReason
    }

    enum CodingKeys: String, CodingKey {
        case outTradeNo = "out_trade_no"
        case tradeNo = "trade_no"
        case refundAmountFen = "refund_amount"
        case outRequestNo = "out_request_no"
        case refundReason = "refund_reason"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        outTradeNo = try container.decodeIfPresent(String.self, forKey: .outTradeNo)
        tradeNo = try container.decodeIfPresent(String.self, forKey: .tradeNo)
        refundAmountFen = try container.decodeYuan(forKey: .refundAmountFen)
        outRequestNo = try container.decode(String.self, forKey: .outRequestNo)
        refundReason = try container.decodeIfPresent(String.self, forKey: .refundReason)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(outTradeNo, forKey: .outTradeNo)
        try container.encodeIfPresent(tradeNo, forKey: .tradeNo)
        try container.encodeYuan(refundAmountFen, forKey: .refundAmountFen)
        try container.encode(outRequestNo, forKey: .outRequestNo)
        try container.encodeIfPresent(refundReason, forKey: .refundReason)
    }
}

/// The `alipay_trade_refund_response` node.
///
/// R-C8: money moved in THIS call only when `fundChange == "Y"`; "N" answers a repeated
/// out_request_no whose money already moved (or did not move) — query to know which.
public struct AlipayRefundResponse: AlipayResponseNode, Hashable {
    public var code: String
    public var msg: String
    public var subCode: String?
    public var subMsg: String?
    public var tradeNo: String?
    public var outTradeNo: String?
    public var buyerLogonID: String?
    /// "Y" or "N".
    public var fundChange: String?
    /// `refund_fee`: the trade's total refunded so far, fen.
    public var refundFeeFen: Int64?
    public var gmtRefundPay: String?
    public var sendBackFeeFen: Int64?

    public init(
        code: String = AlipayResponseStatus.Code.success,
        msg: String = "Success",
        subCode: String? = nil,
        subMsg: String? = nil,
        tradeNo: String? = nil,
        outTradeNo: String? = nil,
        buyerLogonID: String? = nil,
        fundChange: String? = nil,
        refundFeeFen: Int64? = nil,
        gmtRefundPay: String? = nil,
        sendBackFeeFen: Int64? = nil
    ) {
        self.code = code
        self.msg = msg
        self.subCode = subCode
        self.subMsg = subMsg
        self.tradeNo = tradeNo
        self.outTradeNo = outTradeNo
        self.buyerLogonID = buyerLogonID
        self.fundChange = fundChange
        self.refundFeeFen = refundFeeFen
        self.gmtRefundPay = gmtRefundPay
        self.sendBackFeeFen = sendBackFeeFen
    }

    /// True when this call moved money (`fund_change == "Y"`).
    public var movedMoney: Bool { fundChange == "Y" }

    enum CodingKeys: String, CodingKey {
        case code, msg
        case subCode = "sub_code"
        case subMsg = "sub_msg"
        case tradeNo = "trade_no"
        case outTradeNo = "out_trade_no"
        case buyerLogonID = "buyer_logon_id"
        case fundChange = "fund_change"
        case refundFeeFen = "refund_fee"
        case gmtRefundPay = "gmt_refund_pay"
        case sendBackFeeFen = "send_back_fee"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        msg = try container.decode(String.self, forKey: .msg)
        subCode = try container.decodeIfPresent(String.self, forKey: .subCode)
        subMsg = try container.decodeIfPresent(String.self, forKey: .subMsg)
        tradeNo = try container.decodeIfPresent(String.self, forKey: .tradeNo)
        outTradeNo = try container.decodeIfPresent(String.self, forKey: .outTradeNo)
        buyerLogonID = try container.decodeIfPresent(String.self, forKey: .buyerLogonID)
        fundChange = try container.decodeIfPresent(String.self, forKey: .fundChange)
        refundFeeFen = try container.decodeYuanIfPresent(forKey: .refundFeeFen)
        gmtRefundPay = try container.decodeIfPresent(String.self, forKey: .gmtRefundPay)
        sendBackFeeFen = try container.decodeYuanIfPresent(forKey: .sendBackFeeFen)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(msg, forKey: .msg)
        try container.encodeIfPresent(subCode, forKey: .subCode)
        try container.encodeIfPresent(subMsg, forKey: .subMsg)
        try container.encodeIfPresent(tradeNo, forKey: .tradeNo)
        try container.encodeIfPresent(outTradeNo, forKey: .outTradeNo)
        try container.encodeIfPresent(buyerLogonID, forKey: .buyerLogonID)
        try container.encodeIfPresent(fundChange, forKey: .fundChange)
        try container.encodeYuanIfPresent(refundFeeFen, forKey: .refundFeeFen)
        try container.encodeIfPresent(gmtRefundPay, forKey: .gmtRefundPay)
        try container.encodeYuanIfPresent(sendBackFeeFen, forKey: .sendBackFeeFen)
    }
}
