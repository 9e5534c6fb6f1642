import RefundMeshAPI

/// Everything risk scoring (R-R7) looks at for one refund request.
///
/// Unknown is always representable and never fires a signal: an empty device id or IP address,
/// `nil` payments (payment-channel could not be read), a `nil` refund count or a `nil` purchase
/// history. A scorer that guessed would send cases to people, or worse let them through, on
/// facts nobody saw.
public struct RiskInputs: Sendable, Hashable {
    /// The order as intake recorded it: `buyerDeviceID`, `buyerIP` and `priceFen` are read.
    public var order: Order
    /// The user's ground (R-A2).
    public var ground: RefundGround
    /// What the user asked for; ≤ 0 means the full price (as in ``AutomaticDecision``).
    public var requestedAmountFen: Int64
    /// The device the request came from; empty when unknown (e.g. a customer-service form, R-A1).
    public var requesterDeviceID: String
    /// The IP address the request came from; empty when unknown.
    public var requesterIP: String
    /// The order's captured payments (payment-channel's `CapturedPayment`); `nil` when
    /// payment-channel could not be read. Payments of other orders are ignored.
    public var payments: [CapturedPayment]?
    /// The user's other refund requests in the last ``RiskConfiguration/refundFrequencyWindowDays``
    /// days (30 by default), this one excluded, as the caller counted them; `nil` when unknown.
    public var otherRefundRequests: Int?
    /// The user's orders in the 90 days before the request (`OpenCaseRequest.user_history`); `nil`
    /// when intake sent none.
    public var userHistory: UserHistory?
    /// R-A7: intake flagged the request for repeated withdraw-and-resubmit.
    public var flaggedForReview: Bool
    /// R-A7: intake's reason for the flag, as told to the user; may be empty.
    public var flagReason: String

    public init(
        order: Order,
        ground: RefundGround,
        requestedAmountFen: Int64 = 0,
        requesterDeviceID: String = "",
        requesterIP: String = "",
        payments: [CapturedPayment]? = nil,
        otherRefundRequests: Int? = nil,
        userHistory: UserHistory? = nil,
        flaggedForReview: Bool = false,
        flagReason: String = ""
    ) {
        self.order = order
        self.ground = ground
        self.requestedAmountFen = requestedAmountFen
        self.requesterDeviceID = requesterDeviceID
        self.requesterIP = requesterIP
        self.payments = payments
        self.otherRefundRequests = otherRefundRequests
        self.userHistory = userHistory
        self.flaggedForReview = flaggedForReview
        self.flagReason = flagReason
    }

    /// The inputs of a case as review opens it, with what review looked up itself.
    ///
    /// - Parameters:
    ///   - request: intake's request: order, ground, amount, requester, R-A7 flag, user history.
    ///     A request without an order scores against an empty order (no device, IP or price known).
    ///   - payments: the order's captured payments; `nil` when payment-channel could not be read.
    ///   - otherRefundRequests: the user's other refund requests in the configured window; `nil`
    ///     when unknown.
    public init(request: OpenCaseRequest, payments: [CapturedPayment]?, otherRefundRequests: Int?) {
        self.init(
            order: request.order ?? Order(),
            ground: request.ground,
            requestedAmountFen: request.requestedAmountFen,
            requesterDeviceID: request.requesterDeviceID,
            requesterIP: request.requesterIP,
            payments: payments,
            otherRefundRequests: otherRefundRequests,
            userHistory: request.userHistory,
            flaggedForReview: request.flaggedForReview,
            flagReason: request.flagReason
        )
    }

    /// The amount the platform would pay out: the requested amount when the user asked for less
    /// than the price, otherwise the price (as ``AutomaticDecision`` caps it).
    public var amountAtStakeFen: Int64 {
        requestedAmountFen > 0 ? min(requestedAmountFen, order.priceFen) : order.priceFen
    }
}
