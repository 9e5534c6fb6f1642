import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC

/// intake's input checks (docs/VALIDATION.md), run before anything is read or written: their
/// failures are INVALID_ARGUMENT naming every field that is wrong and what is accepted.
enum IntakeValidation {
    /// Answers an ``InputProblem`` as INVALID_ARGUMENT.
    static func enforce(_ check: InputCheck, _ subject: String) throws {
        do {
            try check.finish(subject)
        } catch {
            throw RPCError(code: .invalidArgument, message: error.message, cause: error)
        }
    }

    /// A user's own request about one of their refunds (the user id is the caller until requests
    /// are authenticated).
    static func requireUser(_ userID: String, refundID: String? = nil) throws {
        var check = InputCheck()
        check.identifier(userID, "user_id")
        if let refundID { check.identifier(refundID, "refund_id") }
        try enforce(check, "the request")
    }

    static func validate(_ order: Order, now: Int64) throws {
        var check = InputCheck()
        check.order(order, "", now: now)
        try enforce(check, "the order")
    }

    static func validate(_ request: SubmitRefundRequest) throws {
        var check = InputCheck()
        if request.idempotencyKey.isEmpty {
            check.add("idempotency_key is required (R-A8): choose one per request and reuse it on retries")
        } else {
            check.identifier(request.idempotencyKey, "idempotency_key")
        }
        check.identifier(request.userID, "user_id")
        check.identifier(request.orderID, "order_id")
        check.known(request.source, "source")
        check.known(request.ground, "ground (R-A2)")
        check.text(request.reasonStatement, "reason_statement")
        check.attachments(request.attachments)
        check.known(request.destination, "destination")
        check.identifier(request.paymentID, "payment_id", required: false)
        check.label(request.requesterDeviceID, "requester_device_id")
        check.label(request.requesterIP, "requester_ip")
        check.locale(request.locale)
        try enforce(check, "the refund request")
    }

    static func validate(_ request: PreCheckRequest) throws {
        var check = InputCheck()
        check.identifier(request.userID, "user_id")
        check.identifier(request.orderID, "order_id")
        // An unspecified ground is answered by the rules (R-A2: not refundable); a number the
        // schema does not name is a broken or hostile client.
        check.known(request.ground, "ground (R-A2)", allowsUnspecified: true)
        check.known(request.destination, "destination")
        check.known(request.materials, "materials")
        check.text(request.reasonStatement, "reason_statement")
        check.locale(request.locale)
        try enforce(check, "the pre-check")
    }

    static func validate(_ request: SupplyMaterialsRequest) throws {
        var check = InputCheck()
        check.identifier(request.userID, "user_id")
        check.identifier(request.refundID, "refund_id")
        check.attachments(request.attachments)
        check.text(request.reasonStatement, "reason_statement")
        if request.attachments.isEmpty, request.reasonStatement.allSatisfy(\.isWhitespace) {
            check.add("supply at least one attachment or a reason statement (R-R6)")
        }
        try enforce(check, "the SupplyMaterials request")
    }

    /// A status update from review or payment-channel: ids, a known state, amounts and times that
    /// can be. `now` bounds `at_ms` (an update cannot come from the future).
    static func validate(_ update: StatusUpdate, now: Int64) throws {
        var check = InputCheck()
        check.identifier(update.eventID, "event_id")
        check.identifier(update.refundID, "refund_id")
        check.known(update.state, "state")
        check.label(update.rule, "rule")
        check.text(update.reason, "reason", maxCharacters: InputLimits.maxReasonCharacters)
        check.label(update.actor, "actor")
        check.amount(update.amountFen, "amount_fen", allowsZero: true)
        check.amount(update.feeFen, "fee_fen", allowsZero: true)
        if update.amountFen > 0, update.feeFen > update.amountFen {
            check.add("fee_fen \(update.feeFen) is above amount_fen \(update.amountFen) (R-C2)")
        }
        check.time(update.expectedArrivalMs, "expected_arrival_ms")
        check.known(update.requestedMaterials, "requested_materials")
        check.pastTime(update.atMs, "at_ms", now: now, required: false)
        try enforce(check, "the status update")
    }
}
