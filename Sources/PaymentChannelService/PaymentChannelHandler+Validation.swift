import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC

// payment-channel's input checks (docs/VALIDATION.md), run before the store is touched. The store
// keeps its own checks of what it must never hold (``PaymentStore``); these add the limits of
// hostile input: id shapes, amounts that could overflow a sum (R-C5), times in the future, enum
// numbers the schema does not name.
extension PaymentChannelHandler {
    /// Answers an ``InputProblem`` as INVALID_ARGUMENT.
    static func enforce(_ check: InputCheck, _ subject: String) throws {
        do {
            try check.finish(subject)
        } catch {
            throw RPCError(code: .invalidArgument, message: error.message, cause: error)
        }
    }

    static func validate(_ payment: CapturedPayment, now: Int64) throws {
        var check = InputCheck()
        check.identifier(payment.paymentID, "payment_id")
        check.identifier(payment.orderID, "order_id")
        check.identifier(payment.userID, "user_id")
        check.known(payment.method, "method")
        check.amount(payment.amountFen, "amount_fen")
        // A capture from the future did not happen; one before 2000 is a unit mistake.
        check.pastTime(payment.capturedAtMs, "captured_at_ms", now: now)
        check.label(payment.merchantID, "merchant_id")
        try enforce(check, "the captured payment")
    }

    static func validate(_ request: QuoteRequest) throws {
        var check = InputCheck()
        check.identifier(request.orderID, "order_id", required: request.paymentID.isEmpty)
        check.identifier(request.paymentID, "payment_id", required: false)
        check.amount(request.amountFen, "amount_fen")
        check.known(request.destination, "destination")
        try enforce(check, "the quote request")
    }

    static func validate(_ request: ExecuteRefundRequest) throws {
        var check = InputCheck()
        check.identifier(request.refundID, "refund_id")
        check.identifier(request.orderID, "order_id", required: request.paymentID.isEmpty)
        check.identifier(request.userID, "user_id", required: false)
        check.identifier(request.paymentID, "payment_id", required: false)
        check.amount(request.amountFen, "amount_fen")
        check.known(request.destination, "destination")
        try enforce(check, "the ExecuteRefund request")
    }

    static func validate(_ request: ResolveRefundRequest) throws {
        var check = InputCheck()
        check.identifier(request.refundID, "refund_id")
        check.known(request.action.rawValue, "action", cases: ["RETRY_ORIGINAL", "TO_BALANCE"])
        check.identifier(request.operatorID, "operator_id (who decided)")
        check.text(request.note, "note")
        try enforce(check, "the resolution")
    }

    /// One id a reading method needs.
    static func require(_ value: String, _ field: String) throws {
        var check = InputCheck()
        check.identifier(value, field)
        try enforce(check, "the request")
    }
}
