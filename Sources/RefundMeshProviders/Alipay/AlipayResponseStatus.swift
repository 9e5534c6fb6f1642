/// The fields every Alipay response node carries: `code`, `msg`, and on failure `sub_code`, `sub_msg`.
public protocol AlipayResponseNode: Codable, Sendable {
    var code: String { get }
    var msg: String { get }
    var subCode: String? { get }
    var subMsg: String? { get }
}

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

extension KeyedDecodingContainer {
    /// Decodes a yuan string as fen, exactly (``YuanAmount``).
    func decodeYuan(forKey key: Key) throws -> Int64 {
        let text = try decode(String.self, forKey: key)
        do {
            return try YuanAmount.fen(fromYuan: text, field: key.stringValue)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: error.description)
        }
    }

    func decodeYuanIfPresent(forKey key: Key) throws -> Int64? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeYuan(forKey: key)
    }
}

extension KeyedEncodingContainer {
    mutating func encodeYuan(_ fen: Int64, forKey key: Key) throws {
        try encode(YuanAmount.yuanString(fen: fen), forKey: key)
    }

    mutating func encodeYuanIfPresent(_ fen: Int64?, forKey key: Key) throws {
        if let fen { try encodeYuan(fen, forKey: key) }
    }
}
