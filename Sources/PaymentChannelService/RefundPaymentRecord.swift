import GRDB
import RefundMeshAPI
import RefundMeshStore

/// One row of `refund_payments`: a refund being paid, once per refund id (R-C5).
///
/// States move PENDING → SENT → ARRIVED, or to FAILED; SENT may become ABNORMAL (WeChat, waits
/// for a person) and ARRIVED may become REVERSED (the provider took it back); both are resolved
/// by an operator (`RefundPaymentRecord+StateMachine.swift`, docs/PAYMENTS.md). A balance refund
/// goes straight to ARRIVED in the transaction that credits the ledger.
public struct RefundPaymentRecord: Sendable, Hashable {
    public var refundID: String
    public var paymentID: String
    public var orderID: String
    public var userID: String
    public var method: PaymentMethod
    public var destination: Destination
    public var amountFen: Int64
    public var feeFen: Int64
    public var netFen: Int64
    public var platformFault: Bool
    public var state: RefundPayment.State
    /// R-C6: fixed at insert, reused on every provider call.
    public var providerRefundNo: String
    public var createdAtMs: Int64
    public var sentAtMs: Int64?
    public var arrivedAtMs: Int64?
    public var expectedArrivalMs: Int64
    public var failureReason: String?
    /// Provider submissions that did not get an answer (timeouts, errors); for operators.
    public var attempts: Int
    /// How an operator resolved an ABNORMAL or REVERSED refund: `retry-original`, `to-balance`.
    public var resolution: String?
    /// R-C6: when the next provider query is due, and the interval that led there (doubling).
    public var nextQueryAtMs: Int64?
    public var queryIntervalMs: Int64?
    /// R-C7: not submitted before this time (throttling, a provider's rate limit, a backoff).
    public var notBeforeMs: Int64?
    /// R-C6: when the refund was escalated as stuck (once).
    public var escalatedAtMs: Int64?
    /// R-C5: a submission to the provider is under way until this time (one at a time per payment).
    public var submittingUntilMs: Int64?

    /// Every field; the optional schedule and resolution fields default to none.
    package init(
        refundID: String,
        paymentID: String,
        orderID: String,
        userID: String,
        method: PaymentMethod,
        destination: Destination,
        amountFen: Int64,
        feeFen: Int64,
        netFen: Int64,
        platformFault: Bool,
        state: RefundPayment.State,
        providerRefundNo: String,
        createdAtMs: Int64,
        sentAtMs: Int64?,
        arrivedAtMs: Int64?,
        expectedArrivalMs: Int64,
        failureReason: String?,
        attempts: Int,
        resolution: String? = nil,
        nextQueryAtMs: Int64? = nil,
        queryIntervalMs: Int64? = nil,
        notBeforeMs: Int64? = nil,
        escalatedAtMs: Int64? = nil,
        submittingUntilMs: Int64? = nil
    ) {
        self.refundID = refundID
        self.paymentID = paymentID
        self.orderID = orderID
        self.userID = userID
        self.method = method
        self.destination = destination
        self.amountFen = amountFen
        self.feeFen = feeFen
        self.netFen = netFen
        self.platformFault = platformFault
        self.state = state
        self.providerRefundNo = providerRefundNo
        self.createdAtMs = createdAtMs
        self.sentAtMs = sentAtMs
        self.arrivedAtMs = arrivedAtMs
        self.expectedArrivalMs = expectedArrivalMs
        self.failureReason = failureReason
        self.attempts = attempts
        self.resolution = resolution
        self.nextQueryAtMs = nextQueryAtMs
        self.queryIntervalMs = queryIntervalMs
        self.notBeforeMs = notBeforeMs
        self.escalatedAtMs = escalatedAtMs
        self.submittingUntilMs = submittingUntilMs
    }

    /// The wire form.
    public var message: RefundPayment {
        RefundPayment(
            refundID: refundID,
            paymentID: paymentID,
            method: method,
            amountFen: amountFen,
            feeFen: feeFen,
            netAmountFen: netFen,
            state: state,
            providerRefundNo: providerRefundNo,
            sentAtMs: sentAtMs ?? 0,
            arrivedAtMs: arrivedAtMs ?? 0,
            expectedArrivalMs: expectedArrivalMs,
            failureReason: failureReason ?? "",
            resolution: resolution ?? "",
            nextQueryAtMs: nextQueryAtMs ?? 0,
            notBeforeMs: notBeforeMs ?? 0
        )
    }

    /// Whether the money goes through a third-party provider (and so through a ``ChannelAdapter``).
    public var usesProvider: Bool { method != .balance }

    /// What the adapter is asked, the same on every retry (R-C6).
    func channelRequest(payment: CapturedPayment) -> ChannelRefundRequest {
        ChannelRefundRequest(
            refundNo: providerRefundNo,
            refundID: refundID,
            amountFen: netFen,
            payment: payment,
            reason: "refund \(refundID)"
        )
    }
}

extension RefundPaymentRecord {
    /// Decodes a full `refund_payments` row.
    public init(row: SQLRow) throws {
        self.init(
            refundID: try row["refund_id"],
            paymentID: try row["payment_id"],
            orderID: try row["order_id"],
            userID: try row["user_id"],
            method: PaymentMethod(rawValue: Int32(truncatingIfNeeded: try row["method"] as Int)),
            destination: Destination(rawValue: Int32(truncatingIfNeeded: try row["destination"] as Int)),
            amountFen: try row["amount_fen"],
            feeFen: try row["fee_fen"],
            netFen: try row["net_fen"],
            platformFault: try row["platform_fault"],
            state: RefundPayment.State(rawValue: Int32(truncatingIfNeeded: try row["state"] as Int)),
            providerRefundNo: try row["provider_refund_no"],
            createdAtMs: try row["created_at_ms"],
            sentAtMs: try row["sent_at_ms"],
            arrivedAtMs: try row["arrived_at_ms"],
            expectedArrivalMs: try row["expected_arrival_ms"],
            failureReason: try row["failure_reason"],
            attempts: try row["attempts"],
            resolution: try row["resolution"],
            nextQueryAtMs: try row["next_query_at_ms"],
            queryIntervalMs: try row["query_interval_ms"],
            notBeforeMs: try row["not_before_ms"],
            escalatedAtMs: try row["escalated_at_ms"],
            submittingUntilMs: try row["submitting_until_ms"]
        )
    }
}
