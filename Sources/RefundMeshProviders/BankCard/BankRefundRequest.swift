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
