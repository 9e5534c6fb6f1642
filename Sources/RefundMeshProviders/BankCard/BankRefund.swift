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
