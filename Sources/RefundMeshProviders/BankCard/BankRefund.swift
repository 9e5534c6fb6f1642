/// `POST /bank/v1/refunds` request body. R-C6: `refundNo` is our provider request number.
public struct BankRefundRequest: Codable, Sendable, Hashable {
    public var merchantID: String
    public var refundNo: String
    public var cardPaymentID: String
    public var amountFen: Int64
    public var currency: String

    public init(merchantID: String, refundNo: String, cardPaymentID: String, amountFen: Int64, currency: String = "CNY")
    {
        self.merchantID = merchantID
        self.refundNo = refundNo
        self.cardPaymentID = cardPaymentID
        self.amountFen = amountFen
        self.currency = currency
    }

    enum CodingKeys: String, CodingKey {
        case merchantID = "merchant_id"
        case refundNo = "refund_no"
        case cardPaymentID = "card_payment_id"
        case amountFen = "amount_fen"
        case currency
    }
}

/// A bank refund as answered by submit and query and carried by notifications.
public struct BankRefund: Codable, Sendable, Hashable {
    public var refundNo: String
    public var bankRefundID: String
    public var cardPaymentID: String
    public var state: BankRefundState
    public var amountFen: Int64
    public var currency: String
    public var acceptedAtMs: Int64
    public var settledAtMs: Int64?
    public var returnedAtMs: Int64?
    /// Why the issuer returned it (state RETURNED).
    public var returnReason: String?

    public init(
        refundNo: String,
        bankRefundID: String,
        cardPaymentID: String,
        state: BankRefundState,
        amountFen: Int64,
        currency: String = "CNY",
        acceptedAtMs: Int64,
        settledAtMs: Int64? = nil,
        returnedAtMs: Int64? = nil,
        returnReason: String? = nil
    ) {
        self.refundNo = refundNo
        self.bankRefundID = bankRefundID
        self.cardPaymentID = cardPaymentID
        self.state = state
        self.amountFen = amountFen
        self.currency = currency
        self.acceptedAtMs = acceptedAtMs
        self.settledAtMs = settledAtMs
        self.returnedAtMs = returnedAtMs
        self.returnReason = returnReason
    }

    enum CodingKeys: String, CodingKey {
        case refundNo = "refund_no"
        case bankRefundID = "bank_refund_id"
        case cardPaymentID = "card_payment_id"
        case state
        case amountFen = "amount_fen"
        case currency
        case acceptedAtMs = "accepted_at_ms"
        case settledAtMs = "settled_at_ms"
        case returnedAtMs = "returned_at_ms"
        case returnReason = "return_reason"
    }
}

/// ACCEPTED (money on its way, 3-5 working days, R-C3), SETTLED (arrived), RETURNED (the card
/// issuer sent it back after acceptance — a reversal, R-C8). Extensible.
public struct BankRefundState: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let accepted = BankRefundState(rawValue: "ACCEPTED")
    public static let settled = BankRefundState(rawValue: "SETTLED")
    public static let returned = BankRefundState(rawValue: "RETURNED")

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

/// A bank notification POSTed to the merchant's notify URL (HMAC-signed like answers).
public struct BankRefundNotification: Codable, Sendable, Hashable {
    /// Deduplicate on it (R-C9).
    public var notificationID: String
    public var merchantID: String
    public var occurredAtMs: Int64
    public var refund: BankRefund

    public init(notificationID: String, merchantID: String, occurredAtMs: Int64, refund: BankRefund) {
        self.notificationID = notificationID
        self.merchantID = merchantID
        self.occurredAtMs = occurredAtMs
        self.refund = refund
    }

    enum CodingKeys: String, CodingKey {
        case notificationID = "notification_id"
        case merchantID = "merchant_id"
        case occurredAtMs = "occurred_at_ms"
        case refund
    }
}

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
