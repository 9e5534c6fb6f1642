import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC
import RefundMeshStore
import RefundMeshWire

// review's input checks (docs/VALIDATION.md), run before the store is touched, and the refusal
// of an idempotency key reused for a different request.
extension ReviewHandler {
    static func existingCase(_ db: some SQLSession, refundID: String) throws -> CaseRecord {
        guard let reviewCase = try ReviewStore.reviewCase(db, refundID: refundID) else {
            throw RPCError(code: .notFound, message: "no review case for refund \(refundID)")
        }
        return reviewCase
    }

    /// Answers an ``InputProblem`` as INVALID_ARGUMENT.
    static func enforce(_ check: InputCheck, _ subject: String) throws {
        do {
            try check.finish(subject)
        } catch {
            throw RPCError(code: .invalidArgument, message: error.message, cause: error)
        }
    }

    /// Ids the request must carry, each well formed (ids are at most 128 bytes of letters, digits
    /// and a little punctuation).
    static func require(_ ids: KeyValuePairs<String, String>, in what: String) throws {
        var check = InputCheck()
        for (field, value) in ids { check.identifier(value, field) }
        try enforce(check, what)
    }

    static func validate(_ fact: FulfillmentFact, now: Int64) throws {
        var check = InputCheck()
        check.identifier(fact.factID, "fact_id")
        check.identifier(fact.orderID, "order_id")
        check.known(
            fact.kind.rawValue,
            "kind",
            cases: ["CARD_KEY_ISSUED", "CARD_KEY_ACTIVATED", "RECHARGE_CREDITED", "RECHARGE_FAILED", "DAYS_USED"]
        )
        // A fact from the future has not happened (R-R1/R-R2 decide on what did).
        check.pastTime(fact.atMs, "at_ms", now: now, required: false)
        if fact.daysUsed < 0 || fact.daysUsed > 36_600 {
            check.add("days_used must be 0...36600 (got \(fact.daysUsed))")
        }
        check.text(fact.detail, "detail")
        try enforce(check, "the fulfillment fact")
    }

    /// OpenCase comes from intake's outbox, but is checked like any other input: a case is
    /// stored only from a request that could have come from intake.
    static func validate(_ request: OpenCaseRequest, now: Int64) throws {
        var check = InputCheck()
        check.identifier(request.refundID, "refund_id")
        if let order = request.order {
            check.order(order, "order", now: now)
        } else {
            check.add("order is required")
        }
        check.known(request.ground, "ground (R-A2)")
        check.text(request.reasonStatement, "reason_statement")
        check.attachmentReferences(request.attachments)
        check.known(request.destination, "destination")
        check.identifier(request.paymentID, "payment_id", required: false)
        check.amount(request.requestedAmountFen, "requested_amount_fen", allowsZero: true)
        check.text(request.flagReason, "flag_reason", maxCharacters: InputLimits.maxReasonCharacters)
        check.label(request.requesterDeviceID, "requester_device_id")
        check.label(request.requesterIP, "requester_ip")
        check.pastTime(request.submittedAtMs, "submitted_at_ms", now: now, required: false)
        check.locale(request.locale)
        if let history = request.userHistory {
            check.amount(history.medianOrderFen90d, "user_history.median_order_fen_90d", allowsZero: true)
        }
        try enforce(check, "the OpenCase request")
    }

    static func validate(_ request: AddMaterialsRequest) throws {
        var check = InputCheck()
        check.identifier(request.eventID, "event_id")
        check.identifier(request.refundID, "refund_id")
        check.attachmentReferences(request.attachments)
        check.text(request.reasonStatement, "reason_statement")
        try enforce(check, "the AddMaterials request")
    }

    static func validate(_ request: DecideCaseRequest) throws {
        var check = InputCheck()
        check.identifier(request.decisionID, "decision_id")
        check.identifier(request.refundID, "refund_id")
        // R-R10: every decision records who (the caller) and why (the note).
        check.text(request.note, "note (R-R10: why)", required: true)
        check.amount(request.amountFen, "amount_fen", allowsZero: true)
        if request.daysUsed < 0 || request.daysUsed > 36_600 {
            check.add("days_used must be 0...36600 (got \(request.daysUsed))")
        }
        check.count(request.materials.count, "materials")
        try enforce(check, "the decision")
    }

    /// Claims `eventID` for `request` in the transaction of its effect: true the first time,
    /// false for a replay of the same request; a different request under the same id is refused
    /// with ALREADY_EXISTS naming the fields that differ (R-R10 decisions, intake's events).
    static func claim<Request: ProtoMessage>(
        _ db: some SQLSession,
        eventID: String,
        for request: Request,
        naming what: String
    ) throws -> Bool {
        switch try ProcessedEvents.claim(db, eventID: eventID, request: try request.serializedBytes()) {
        case .first:
            return true
        case .replay:
            return false
        case .conflict(let stored):
            let fields = (try? Request(serializedBytes: stored)).map { FieldDifferences.between($0, request) }
            throw RPCError(
                code: .alreadyExists,
                message: "\(what) was already used for a request with a different "
                    + (fields ?? ["content"]).joined(separator: ", ") + "; the same id must carry the same request,"
                    + " a new request needs a new id"
            )
        }
    }
}
