/// An Alipay asynchronous notification (form-encoded POST, `notify_type=trade_status_sync`) whose
/// RSA2 signature verified. Refund-related fields: `out_biz_no` (our out_request_no), `refund_fee`,
/// `gmt_refund`.
public struct AlipayNotification: Sendable, Hashable {
    /// Deduplicate on it (R-C9): Alipay resends until it gets "success".
    public var notifyID: String
    public var notifyTime: String?
    public var notifyType: String?
    public var appID: String
    public var tradeNo: String?
    public var outTradeNo: String?
    /// Our out_request_no of the refund.
    public var outBizNo: String?
    public var tradeStatus: String?
    /// `refund_fee`: total refunded on the trade, fen.
    public var refundFeeFen: Int64?
    public var gmtRefund: String?
    /// Every parameter as received.
    public var parameters: [String: String]

    /// What the merchant answers (body text) once the notification is durably recorded.
    public static let acknowledgement = "success"

    /// Reads the fields from verified parameters.
    /// - Throws: ``AmountError`` for a malformed `refund_fee`; ``SignatureVerificationError`` when
    ///   `notify_id` or `app_id` is missing.
    public init(parameters: [String: String]) throws {
        guard let notifyID = parameters["notify_id"], !notifyID.isEmpty else {
            throw SignatureVerificationError(
                code: .missingField,
                field: "notify_id",
                message: "notification has no notify_id"
            )
        }
        guard let appID = parameters["app_id"], !appID.isEmpty else {
            throw SignatureVerificationError(
                code: .missingField,
                field: "app_id",
                message: "notification has no app_id"
            )
        }
        self.notifyID = notifyID
        self.appID = appID
        self.notifyTime = parameters["notify_time"]
        self.notifyType = parameters["notify_type"]
        self.tradeNo = parameters["trade_no"]
        self.outTradeNo = parameters["out_trade_no"]
        self.outBizNo = parameters["out_biz_no"]
        self.tradeStatus = parameters["trade_status"]
        self.refundFeeFen = try parameters["refund_fee"].map { try YuanAmount.fen(fromYuan: $0, field: "refund_fee") }
        self.gmtRefund = parameters["gmt_refund"]
        self.parameters = parameters
    }
}
