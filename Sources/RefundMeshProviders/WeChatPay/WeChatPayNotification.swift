/// A WeChat Pay notification envelope as POSTed to the merchant's notify URL.
public struct WeChatPayNotification: Codable, Sendable, Hashable {
    public var id: String
    public var createTime: String
    /// `REFUND.SUCCESS`, `REFUND.ABNORMAL` or `REFUND.CLOSED`.
    public var eventType: String
    /// `encrypt-resource`.
    public var resourceType: String
    public var summary: String
    public var resource: WeChatPayEncryptedResource

    public init(
        id: String,
        createTime: String,
        eventType: String,
        resourceType: String = "encrypt-resource",
        summary: String,
        resource: WeChatPayEncryptedResource
    ) {
        self.id = id
        self.createTime = createTime
        self.eventType = eventType
        self.resourceType = resourceType
        self.summary = summary
        self.resource = resource
    }

    /// Event types of refund notifications.
    public enum EventType {
        public static let refundSuccess = "REFUND.SUCCESS"
        public static let refundAbnormal = "REFUND.ABNORMAL"
        public static let refundClosed = "REFUND.CLOSED"
    }

    enum CodingKeys: String, CodingKey {
        case id
        case createTime = "create_time"
        case eventType = "event_type"
        case resourceType = "resource_type"
        case summary, resource
    }
}

/// The encrypted `resource` of a notification (``WeChatPayNotificationCrypto``).
public struct WeChatPayEncryptedResource: Codable, Sendable, Hashable {
    /// The only algorithm WeChat Pay v3 uses.
    public static let aes256GCM = "AEAD_AES_256_GCM"

    public var originalType: String
    public var algorithm: String
    public var ciphertext: String
    public var associatedData: String?
    public var nonce: String

    public init(originalType: String, algorithm: String, ciphertext: String, associatedData: String?, nonce: String) {
        self.originalType = originalType
        self.algorithm = algorithm
        self.ciphertext = ciphertext
        self.associatedData = associatedData
        self.nonce = nonce
    }

    enum CodingKeys: String, CodingKey {
        case originalType = "original_type"
        case algorithm, ciphertext
        case associatedData = "associated_data"
        case nonce
    }
}

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

/// A notification whose platform signature verified and whose resource decrypted.
public struct WeChatPayVerifiedNotification: Sendable, Hashable {
    /// The notification id (deduplicate on it, R-C9).
    public var id: String
    public var eventType: String
    public var createTime: String
    public var notice: WeChatPayRefundNotice

    public init(id: String, eventType: String, createTime: String, notice: WeChatPayRefundNotice) {
        self.id = id
        self.eventType = eventType
        self.createTime = createTime
        self.notice = notice
    }
}
