/// Just the status of an Alipay response node (what an `error_response` holds).
public struct AlipayResponseStatus: AlipayResponseNode, Hashable {
    public var code: String
    public var msg: String
    public var subCode: String?
    public var subMsg: String?

    public init(code: String, msg: String, subCode: String? = nil, subMsg: String? = nil) {
        self.code = code
        self.msg = msg
        self.subCode = subCode
        self.subMsg = subMsg
    }

    enum CodingKeys: String, CodingKey {
        case code, msg
        case subCode = "sub_code"
        case subMsg = "sub_msg"
    }

    /// Gateway codes.
    public enum Code {
        /// Success.
        public static let success = "10000"
        /// Service unavailable: outcome unknown, retry with the same out_request_no (R-C6).
        public static let serviceUnavailable = "20000"
        public static let missingParameter = "40001"
        public static let invalidParameter = "40002"
        public static let insufficientPermission = "40006"
        /// Business failure; see `sub_code`.
        public static let businessFailed = "40004"
    }

    /// Business `sub_code`s the client treats specially (docs/PROVIDERS.md).
    public enum SubCode {
        /// Outcome unknown: retry with the same out_request_no or query (R-C6).
        public static let systemError = "ACQ.SYSTEM_ERROR"
        /// Refunds of one trade less than 3 s apart (R-C7). Sandbox code: Alipay documents the limit,
        /// this exact sub_code is our sandbox's (see docs/PROVIDERS.md).
        public static let requestTooFast = "ACQ.REQUEST_TOO_FAST"
        public static let tradeNotExist = "ACQ.TRADE_NOT_EXIST"
        public static let refundAmountNotEqualTotal = "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
        public static let refundFeeError = "ACQ.REASON_TRADE_REFUND_FEE_ERR"
        public static let sellerBalanceNotEnough = "ACQ.SELLER_BALANCE_NOT_ENOUGH"
        public static let tradeNotAllowRefund = "ACQ.TRADE_NOT_ALLOW_REFUND"
    }
}
