import Crypto
import Foundation
import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshEvidence
import RefundMeshHosting
import RefundMeshRPC
import RefundMeshStore
import RefundMeshWire

extension IntakeHandler {
    // MARK: Submit (R-A1, R-A2, R-A4, R-A5, R-A7, R-A8)

    public func submitRefund(_ request: SubmitRefundRequest, context: ServerContext) async throws -> RefundView {
        try IntakeValidation.validate(request)
        let digest = Self.digest(of: request)
        // One read for both: the request already made under this key (R-A8), else the order.
        let known = try await store.read { db -> (earlier: (digest: String, view: RefundView)?, order: Order?) in
            if let earlier = try Self.earlierRequest(db, request) { return (earlier, nil) }
            return (nil, try IntakeStore.order(db, id: request.orderID))
        }
        if let earlier = known.earlier { return try Self.replay(request, digest: digest, earlier: earlier) }
        let order = try Self.owned(known.order, orderID: request.orderID, userID: request.userID)
        let locale = RefundLocale(tag: request.locale)
        if let violation = policy.attachmentViolation(
            request.attachments.map { (fileName: $0.fileName, sizeBytes: Int64($0.content.count)) }
        ) {
            throw RPCError(code: .invalidArgument, message: violation.message(locale))
        }
        let read = await readPayments(of: order.orderID, context: context)
        let paymentsReadAtMs = read == nil ? 0 : now()
        let paid = read ?? []
        let destination = request.destination == .unspecified ? Destination.original : request.destination
        let nowMs = now()
        let eligibility = EligibilityCheck(policy: policy).evaluate(
            order: order,
            ground: request.ground,
            destination: destination,
            paidWith: paid.first?.method ?? .unspecified,
            materials: request.attachments.map(\.kind),
            reasonStatement: request.reasonStatement,
            now: nowMs
        )
        guard eligibility.isEligible else {
            var error = RPCError(
                code: eligibility.missingMaterials.isEmpty ? .failedPrecondition : .invalidArgument,
                message: eligibility.reason.message(locale)
            )
            error.addDetail(ErrorInfo(reason: eligibility.reason.rule.rawValue, domain: "refundmesh.intake"))
            throw error
        }

        let requestedAmount: Int64
        if request.ground == .duplicateCharge, !request.paymentID.isEmpty, !paid.isEmpty {
            // R-R3: the payment named must be one of this order's; another order's (or a made-up
            // id) is not found, rather than quietly replaced by this order's last payment.
            guard let named = paid.first(where: { $0.paymentID == request.paymentID }) else {
                throw RPCError(
                    code: .notFound,
                    message: "payment \(request.paymentID) is not a captured payment of order \(order.orderID) (R-R3);"
                        + " name the duplicate charge's transaction id, or leave payment_id empty"
                )
            }
            requestedAmount = named.amountFen
        } else if request.ground == .duplicateCharge, let duplicate = paid.dropFirst().last {
            requestedAmount = duplicate.amountFen
        } else {
            requestedAmount = order.priceFen
        }
        let refundID = Self.refundID(userID: request.userID, idempotencyKey: request.idempotencyKey, nowMs: nowMs)
        let policy = self.policy
        do {
            let view = try await store.write { db in
                // R-A7: too many withdrawals flag the request for a person instead of auto-approval.
                let orderWithdrawals =
                    try db.value(Int.self, "SELECT COUNT(*) FROM withdrawals WHERE order_id = ?", [order.orderID]) ?? 0
                let userWithdrawals =
                    try db.value(
                        Int.self,
                        "SELECT COUNT(*) FROM withdrawals WHERE user_id = ? AND at_ms > ?",
                        [request.userID, nowMs - WithdrawalGuard.userWindowMs]
                    ) ?? 0
                let verdict = WithdrawalGuard(policy: policy).evaluate(
                    orderWithdrawals: orderWithdrawals,
                    userWithdrawalsLast24h: userWithdrawals
                )
                let record = RefundRecord(
                    refundID: refundID,
                    orderID: order.orderID,
                    userID: request.userID,
                    idempotencyKey: request.idempotencyKey,
                    requestDigest: digest,
                    ground: request.ground,
                    source: request.source,
                    destination: destination,
                    paymentID: request.paymentID,
                    requestedAmountFen: requestedAmount,
                    flagged: verdict.isFlagged,
                    flagReason: verdict.reason?.message(locale) ?? "",
                    locale: locale.tag,
                    nowMs: nowMs
                )
                try record.insert(db)
                let refs = try IntakeStore.attach(db, request.attachments, to: refundID, nowMs: nowMs)
                try RefundRecord.appendTimeline(
                    db,
                    refundID: refundID,
                    TimelineEntry(
                        atMs: nowMs,
                        state: .received,
                        rule: "R-A1",
                        reason: locale == .zhCN ? "退款申请已受理" : "refund request received",
                        actor: "user",
                        amountFen: requestedAmount
                    )
                )
                try OutboxDispatcher.enqueue(
                    db,
                    eventID: refundID + ":open",
                    destination: "review",
                    method: Review.Method.openCase,
                    request: OpenCaseRequest(
                        refundID: refundID,
                        order: order,
                        ground: request.ground,
                        reasonStatement: request.reasonStatement,
                        attachments: refs,
                        destination: destination,
                        paymentID: request.paymentID,
                        requestedAmountFen: requestedAmount,
                        flaggedForReview: record.flagged,
                        flagReason: record.flagReason,
                        requesterDeviceID: request.requesterDeviceID,
                        requesterIP: request.requesterIP,
                        submittedAtMs: nowMs,
                        locale: locale.tag,
                        userHistory: try IntakeStore.userHistory(
                            db,
                            userID: order.userID,
                            excluding: order.orderID,
                            beforeMs: nowMs
                        ),
                        // Review decides from these instead of asking payment-channel again (R-R3, R-R7).
                        capturedPayments: paid,
                        paymentsReadAtMs: paymentsReadAtMs
                    ),
                    orderingKey: refundID
                )
                try Self.notify(db, record, kind: .received, event: "received", atMs: nowMs)
                if let reason = verdict.reason {
                    var event = Self.event(record, kind: .flaggedForReview, event: "flagged", atMs: nowMs)
                    event.rule = reason.rule.rawValue
                    event.reason = reason.message(locale)
                    try Self.enqueue(db, event)
                }
                return try record.view(db)
            }
            feed.changed(view)
            context.logger.info(
                "refund received",
                metadata: ["refund.id": "\(refundID)", "order.id": "\(order.orderID)"]
            )
            return view
        } catch let error where store.isConflict(error) {
            // A concurrent submission with the same key won the race: answer with its refund.
            if let earlier = try await store.read({ db in try Self.earlierRequest(db, request) }) {
                return try Self.replay(request, digest: digest, earlier: earlier)
            }
            throw error
        }
    }

    /// The digest and refund of an earlier request under the same key (R-A8), or nil.
    private static func earlierRequest(
        _ db: some SQLSession,
        _ request: SubmitRefundRequest
    ) throws -> (digest: String, view: RefundView)? {
        guard let record = try RefundRecord.fetch(db, userID: request.userID, idempotencyKey: request.idempotencyKey)
        else { return nil }
        return (record.requestDigest, try record.view(db))
    }

    /// The refund an earlier request under the same key made (R-A8), when it was the same request.
    private static func replay(
        _ request: SubmitRefundRequest,
        digest: String,
        earlier: (digest: String, view: RefundView)
    ) throws -> RefundView {
        let view = earlier.view
        guard earlier.digest == digest else {
            throw RPCError(
                code: .alreadyExists,
                message:
                    "idempotency key \(request.idempotencyKey) was used for a different request (refund \(view.refundID)); use a new key for a new request (R-A8)"
            )
        }
        return view
    }

    // MARK: Withdraw (R-A7), materials (R-R6), offers (R-R5)

    public func withdrawRefund(_ request: WithdrawRefundRequest, context: ServerContext) async throws -> RefundView {
        _ = try await ownedRefundView(request.refundID, userID: request.userID)
        let nowMs = now()
        let view = try await store.write { db -> RefundView in
            guard var record = try RefundRecord.fetch(db, id: request.refundID) else {
                throw RPCError(code: .notFound, message: "refund \(request.refundID) does not exist")
            }
            if record.state == .withdrawn { return try record.view(db) }
            guard [.received, .underReview, .awaitingMaterials, .offered].contains(record.state) else {
                throw RPCError(
                    code: .failedPrecondition,
                    message: "refund \(record.refundID) is \(record.state) and can no longer be withdrawn"
                )
            }
            record.state = .withdrawn
            record.updatedAtMs = nowMs
            try record.update(db)
            try db.run(
                "INSERT INTO withdrawals (refund_id, order_id, user_id, at_ms) VALUES (?, ?, ?, ?)",
                [record.refundID, record.orderID, record.userID, nowMs]
            )
            try RefundRecord.appendTimeline(
                db,
                refundID: record.refundID,
                TimelineEntry(
                    atMs: nowMs,
                    state: .withdrawn,
                    rule: "R-A7",
                    reason: "withdrawn by the user",
                    actor: "user"
                )
            )
            try OutboxDispatcher.enqueue(
                db,
                eventID: record.refundID + ":withdraw",
                destination: "review",
                method: Review.Method.withdrawCase,
                request: WithdrawCaseRequest(eventID: record.refundID + ":withdraw", refundID: record.refundID),
                orderingKey: record.refundID
            )
            try Self.notify(db, record, kind: .withdrawn, event: "withdrawn", atMs: nowMs)
            return try record.view(db)
        }
        feed.changed(view)
        return view
    }

    public func supplyMaterials(_ request: SupplyMaterialsRequest, context: ServerContext) async throws -> RefundView {
        try IntakeValidation.validate(request)
        _ = try await ownedRefundView(request.refundID, userID: request.userID)
        if let violation = policy.attachmentViolation(
            request.attachments.map { (fileName: $0.fileName, sizeBytes: Int64($0.content.count)) }
        ) {
            throw RPCError(code: .invalidArgument, message: violation.message(.zhCN))
        }
        let nowMs = now()
        let view = try await store.write { db -> RefundView in
            guard var record = try RefundRecord.fetch(db, id: request.refundID) else {
                throw RPCError(code: .notFound, message: "refund \(request.refundID) does not exist")
            }
            guard !record.state.isFinal else {
                throw RPCError(
                    code: .failedPrecondition,
                    message: "refund \(record.refundID) is \(record.state); it takes no more materials"
                )
            }
            let refs = try IntakeStore.attach(db, request.attachments, to: record.refundID, nowMs: nowMs)
            let supplied = Set(refs.map(\.kind.rawValue))
            record.requestedMaterials.removeAll { supplied.contains($0.rawValue) }
            record.updatedAtMs = nowMs
            try record.update(db)
            let count =
                try db.value(Int.self, "SELECT COUNT(*) FROM timeline WHERE refund_id = ?", [record.refundID]) ?? 0
            let eventID = "\(record.refundID):materials:\(count)"
            try RefundRecord.appendTimeline(
                db,
                refundID: record.refundID,
                TimelineEntry(
                    atMs: nowMs,
                    state: record.state,
                    rule: "R-R6",
                    reason: "materials supplied",
                    actor: "user"
                )
            )
            try OutboxDispatcher.enqueue(
                db,
                eventID: eventID,
                destination: "review",
                method: Review.Method.addMaterials,
                request: AddMaterialsRequest(
                    eventID: eventID,
                    refundID: record.refundID,
                    attachments: refs,
                    reasonStatement: request.reasonStatement
                ),
                orderingKey: record.refundID
            )
            return try record.view(db)
        }
        feed.changed(view)
        return view
    }

    public func answerOffer(_ request: AnswerOfferRequest, context: ServerContext) async throws -> RefundView {
        _ = try await ownedRefundView(request.refundID, userID: request.userID)
        let nowMs = now()
        let view = try await store.write { db -> RefundView in
            guard let record = try RefundRecord.fetch(db, id: request.refundID) else {
                throw RPCError(code: .notFound, message: "refund \(request.refundID) does not exist")
            }
            let eventID = record.refundID + ":offer-answer"
            if try Outbox.message(db, eventID: eventID) != nil { return try record.view(db) }
            guard record.state == .offered else {
                throw RPCError(
                    code: .failedPrecondition,
                    message: "refund \(record.refundID) is \(record.state); there is no offer to answer"
                )
            }
            try RefundRecord.appendTimeline(
                db,
                refundID: record.refundID,
                TimelineEntry(
                    atMs: nowMs,
                    state: .offered,
                    rule: "R-R5",
                    reason: request.accept ? "offer accepted by the user" : "offer declined by the user",
                    actor: "user",
                    amountFen: record.decidedAmountFen
                )
            )
            try OutboxDispatcher.enqueue(
                db,
                eventID: eventID,
                destination: "review",
                method: Review.Method.recordOfferAnswer,
                request: OfferAnswer(eventID: eventID, refundID: record.refundID, accept: request.accept),
                orderingKey: record.refundID
            )
            return try record.view(db)
        }
        feed.changed(view)
        return view
    }

    // MARK: Helpers

    /// A new refund's id: `rf-`, the submission's millisecond as 12 hex digits, then 16 hex
    /// digits of SHA-256 of the user and the idempotency key.
    ///
    /// R-A8: the id is made once, by the submission that stores the refund; a resubmission under
    /// the same key finds that refund by (user, key) and answers with its id, and of concurrent
    /// ones the first insert wins and the others answer with it. The time comes first so that ids
    /// sort by creation: the rows and index entries keyed by a refund id, and the event ids made
    /// from it, are then added at one end of their B-trees in every store, and a group commit
    /// writes a few pages instead of one page per row and index (docs/PERFORMANCE.md, "2026-12-07,
    /// ids in time order"). The digest keeps the ids of one millisecond apart.
    static func refundID(userID: String, idempotencyKey: String, nowMs: Int64) -> String {
        let digest = SHA256.hash(data: Data((userID + "\u{1F}" + idempotencyKey).utf8))
        let time = String(UInt64(max(nowMs, 0)), radix: 16)
        return "rf-" + String(repeating: "0", count: max(0, 12 - time.count)) + time
            + EvidenceHex.encode(digest.prefix(8))
    }

    /// What makes two submissions "the same request" for R-A8.
    static func digest(of request: SubmitRefundRequest) -> String {
        var canonical = request
        canonical.requesterIP = ""
        canonical.requesterDeviceID = ""
        let bytes = (try? canonical.serializedBytes()) ?? []
        return EvidenceHex.encode(SHA256.hash(data: Data(bytes)))
    }

    static func event(_ record: RefundRecord, kind: RefundEvent.Kind, event: String, atMs: Int64) -> RefundEvent {
        RefundEvent(
            eventID: "\(record.refundID):\(event)",
            userID: record.userID,
            refundID: record.refundID,
            orderID: record.orderID,
            kind: kind,
            amountFen: record.requestedAmountFen,
            atMs: atMs,
            locale: record.locale
        )
    }

    static func notify(
        _ db: some SQLSession,
        _ record: RefundRecord,
        kind: RefundEvent.Kind,
        event: String,
        atMs: Int64
    ) throws {
        try enqueue(db, Self.event(record, kind: kind, event: event, atMs: atMs))
    }

    static func enqueue(_ db: some SQLSession, _ event: RefundEvent) throws {
        try OutboxDispatcher.enqueue(
            db,
            eventID: event.eventID,
            destination: "notification",
            method: Notification.Method.publish,
            request: event,
            orderingKey: event.refundID
        )
    }
}
