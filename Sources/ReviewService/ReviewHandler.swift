import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshEvidence
import RefundMeshHosting
import RefundMeshRPC
import RefundMeshStore

/// `refundmesh.review.v1.Review`: decides refunds from the records where it can (R-R1, R-R2,
/// R-R3, R-R5) and queues the rest for a person, recording the rule behind every decision.
///
/// A decision and the messages it causes (ApplyStatus to intake, Publish to notification,
/// ExecuteRefund to payment-channel for approvals; see ``CaseMessages``) commit in one
/// transaction, so a crash right after OpenCase returns loses nothing and a redelivered
/// OpenCase decides nothing twice.
///
/// **payment-channel down.** A duplicate charge (R-R3) needs the order's captured payments. When
/// payment-channel cannot be read, OpenCase still stores the case and answers OK, with the case
/// in the manual queue (UNDER_REVIEW, reason "payment records could not be read") and marked as
/// waiting for payments; ``retryAwaitingCases()`` (run periodically by the executable) decides
/// it once the records can be read. Failing OpenCase instead would block intake's outbox, which
/// delivers to review in order, behind one unreadable order.
public struct ReviewHandler: Review.ServiceProtocol {
    public let store: any ServiceDatabase
    public let payments: any PaymentRecords
    public let operatorAdapter: any OperatorAdapter
    /// SLA budgets, green-channel threshold, claim length, escalation recipient.
    public let configuration: ReviewConfiguration
    /// The working-day calendar SLAs count on (R-R4); the same one the policy uses.
    public let calendar: WorkingCalendar
    /// Scores each new case (R-R7).
    public let riskScorer: RiskScorer
    /// Signs evidence checkpoints (R-R9); `EvidenceSigner.loadOrCreate(keyFile:)` in production.
    public let evidenceSigner: EvidenceSigner
    /// The clock, in Unix milliseconds (tests may fix it).
    public let now: @Sendable () -> Int64

    public init(
        store: any ServiceDatabase,
        payments: any PaymentRecords,
        operatorAdapter: any OperatorAdapter = SandboxOperatorAdapter(),
        configuration: ReviewConfiguration = ReviewConfiguration(),
        calendar: WorkingCalendar = WorkingCalendar(),
        riskScorer: RiskScorer = RiskScorer(),
        evidenceSigner: EvidenceSigner = EvidenceSigner(),
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        self.store = store
        self.payments = payments
        self.operatorAdapter = operatorAdapter
        self.configuration = configuration
        self.calendar = calendar
        self.riskScorer = riskScorer
        self.evidenceSigner = evidenceSigner
        self.now = now
    }

    /// What ``decide(_:_:lookup:rules:nowMs:)`` needs besides the case.
    var rules: CaseRules { CaseRules(serviceLevel: configuration.serviceLevel, calendar: calendar) }

    // MARK: Fulfillment feed

    public func recordFulfillment(_ request: FulfillmentFact, context: ServerContext) async throws -> Ack {
        let nowMs = now()
        try Self.validate(request, now: nowMs)
        let (isNew, redecided) = try await store.write { db in
            guard try ReviewStore.insertFact(db, request, recordedAtMs: nowMs) else {
                // Idempotent on fact_id: the same fact again changes nothing; other facts under a
                // known id are refused (the evidence log, R-R9, holds the first).
                let fields = try ReviewStore.fact(db, id: request.factID).map { FieldDifferences.between($0, request) }
                if let fields, !fields.isEmpty {
                    throw RPCError(
                        code: .alreadyExists,
                        message: "fact \(request.factID) is already recorded with a different "
                            + fields.joined(separator: ", ") + "; facts cannot change: record a new fact with a new id"
                    )
                }
                return (false, 0)
            }
            try EvidenceLog.fact(db, request, actor: "platform", atMs: nowMs)
            // A new fact may decide cases that waited for it (R-R2: a late "recharge failed").
            var redecided = 0
            for var waiting in try ReviewStore.awaitingCases(db, orderID: request.orderID, awaiting: .facts) {
                if try Self.decide(db, &waiting, lookup: PaymentLookup(), rules: rules, nowMs: nowMs) { redecided += 1 }
            }
            return (true, redecided)
        }
        if redecided > 0 {
            context.logger.info(
                "waiting cases decided by a new fact",
                metadata: ["order.id": "\(request.orderID)", "review.redecided": "\(redecided)"]
            )
        }
        return Ack(firstTime: isNew)
    }

    // MARK: Cases

    public func openCase(_ request: OpenCaseRequest, context: ServerContext) async throws -> Ack {
        try Self.validate(request, now: now())
        let refundID = request.refundID
        var opened = CaseRecord(request: request, nowMs: now())
        opened.greenChannel = greenChannel(for: opened)
        let pending = opened
        let carried = carriedPayments(of: request, nowMs: now())
        // A redelivered OpenCase is answered without asking anyone: check before calls that leave
        // the service. With intake's reading of the payments and nothing to ask the operator, the
        // write below finds the case itself (`insertCase` refuses a second one).
        if carried == nil || Self.needsOperator(pending),
            try await store.read({ db in try ReviewStore.reviewCase(db, refundID: refundID) }) != nil
        {
            return Ack(firstTime: false)
        }
        let lookup: PaymentLookup
        if let carried {
            lookup = carried
        } else {
            lookup = await lookUpPayments(for: pending, logger: context)
        }
        let operatorFact = try await askOperator(for: pending, context: context)
        let nowMs = now()
        let rules = self.rules
        let created = try await store.write { db in
            var reviewCase = pending
            // R-R7: scored inside the transaction, so the refund count includes every committed case.
            reviewCase.risk = riskScorer.assess(
                try Self.riskInputs(
                    db,
                    for: reviewCase,
                    payments: lookup.failure == nil ? lookup.payments : nil,
                    windowDays: riskScorer.configuration.refundFrequencyWindowDays,
                    nowMs: nowMs
                ),
                locale: reviewCase.refundLocale
            )
            guard try ReviewStore.insertCase(db, reviewCase) else { return false }
            try EvidenceLog.caseOpened(db, reviewCase, atMs: nowMs)
            try ReviewStore.addMaterials(
                db,
                refundID: refundID,
                attachments: request.attachments,
                eventID: "open:\(refundID)",
                nowMs: nowMs
            )
            if !request.attachments.isEmpty {
                try EvidenceLog.materials(db, request.attachments, for: reviewCase, atMs: nowMs)
            }
            if lookup.failure == nil, lookup.asked {
                try EvidenceLog.payments(db, lookup, for: reviewCase, atMs: nowMs)
            }
            if let operatorFact, try ReviewStore.insertFact(db, operatorFact, recordedAtMs: nowMs) {
                try EvidenceLog.fact(db, operatorFact, refundID: refundID, actor: "operator", atMs: nowMs)
            }
            _ = try Self.decide(db, &reviewCase, lookup: lookup, rules: rules, nowMs: nowMs, forceRecord: true)
            return true
        }
        if created {
            context.logger.debug("case opened", metadata: ["refund.id": "\(refundID)"])
        }
        return Ack(firstTime: created)
    }

    /// R-R6: the user's materials arrive. When they complete what a reviewer asked for, the case
    /// goes back to its place in the queue and its SLA clock runs again.
    public func addMaterials(_ request: AddMaterialsRequest, context: ServerContext) async throws -> Ack {
        try Self.validate(request)
        let nowMs = now()
        let rules = self.rules
        return try await store.write { db in
            var reviewCase = try Self.existingCase(db, refundID: request.refundID)
            guard
                try Self.claim(
                    db,
                    eventID: "materials:" + request.eventID,
                    for: request,
                    naming: "event \(request.eventID)"
                )
            else {
                return Ack(firstTime: false)
            }
            try ReviewStore.addMaterials(
                db,
                refundID: request.refundID,
                attachments: request.attachments,
                eventID: request.eventID,
                nowMs: nowMs
            )
            if !request.attachments.isEmpty {
                try EvidenceLog.materials(db, request.attachments, for: reviewCase, atMs: nowMs)
            }
            if !request.reasonStatement.isEmpty {
                try ReviewStore.updateReasonStatement(
                    db,
                    refundID: request.refundID,
                    statement: request.reasonStatement,
                    nowMs: nowMs
                )
                reviewCase.reasonStatement = request.reasonStatement
            }
            var supplied = Set(request.attachments.map(\.kind))
            if !request.reasonStatement.isEmpty { supplied.insert(.reasonStatement) }
            guard reviewCase.outcome == .awaitingMaterials else { return Ack(firstTime: true) }
            reviewCase.requestedMaterials.removeAll { supplied.contains($0) }
            if reviewCase.requestedMaterials.isEmpty {
                reviewCase.outcome = .manual
                reviewCase.rule = RuleID.r6.rawValue
                reviewCase.reason = ReviewText.materialsReceived
                reviewCase.sla?.resume(at: nowMs, calendar: rules.calendar)
                reviewCase.stepCounter += 1
                try ReviewStore.updateDecision(db, reviewCase, nowMs: nowMs)
                try EvidenceLog.decision(db, reviewCase, event: "materials_complete", actor: "user", atMs: nowMs)
                try CaseMessages.enqueue(
                    db,
                    for: reviewCase,
                    nowMs: nowMs,
                    step: "materials-received-\(reviewCase.stepCounter)",
                    notify: false
                )
            } else {
                try ReviewStore.updateDecision(db, reviewCase, nowMs: nowMs)
            }
            return Ack(firstTime: true)
        }
    }

    public func recordOfferAnswer(_ request: OfferAnswer, context: ServerContext) async throws -> Ack {
        try Self.require(["event_id": request.eventID, "refund_id": request.refundID], in: "an offer answer")
        let nowMs = now()
        return try await store.write { db in
            var reviewCase = try Self.existingCase(db, refundID: request.refundID)
            guard
                try Self.claim(
                    db,
                    eventID: "offer-answer:" + request.eventID,
                    for: request,
                    naming: "event \(request.eventID)"
                )
            else {
                return Ack(firstTime: false)
            }
            guard reviewCase.outcome == .offered else {
                throw RPCError(
                    code: .failedPrecondition,
                    message:
                        "refund \(request.refundID) is \(reviewCase.outcome.storedName.replacing("_", with: " ")),"
                        + " not offered; only a pro-rated offer (R-R5) can be accepted or declined"
                )
            }
            reviewCase.rule = RuleID.r5.rawValue
            reviewCase.decidedBy = "user"
            reviewCase.decidedAtMs = nowMs
            reviewCase.awaiting = nil
            if request.accept {
                reviewCase.outcome = .approved
                reviewCase.reason = ReviewText.offerAccepted(amountFen: reviewCase.amountFen)
            } else {
                reviewCase.outcome = .offerDeclined
                reviewCase.amountFen = 0
                reviewCase.reason = ReviewText.offerDeclined
            }
            try ReviewStore.updateDecision(db, reviewCase, nowMs: nowMs)
            try EvidenceLog.decision(
                db,
                reviewCase,
                event: request.accept ? "offer_accepted" : "offer_declined",
                actor: "user",
                atMs: nowMs
            )
            try CaseMessages.enqueue(db, for: reviewCase, nowMs: nowMs)
            return Ack(firstTime: true)
        }
    }

    public func withdrawCase(_ request: WithdrawCaseRequest, context: ServerContext) async throws -> Ack {
        try Self.require(["event_id": request.eventID, "refund_id": request.refundID], in: "a withdrawal")
        let nowMs = now()
        return try await store.write { db in
            var reviewCase = try Self.existingCase(db, refundID: request.refundID)
            guard
                try Self.claim(
                    db,
                    eventID: "withdraw:" + request.eventID,
                    for: request,
                    naming: "event \(request.eventID)"
                ),
                reviewCase.outcome != .withdrawn
            else {
                return Ack(firstTime: false)
            }
            guard !reviewCase.isFinal else {
                throw RPCError(
                    code: .failedPrecondition,
                    message:
                        "refund \(request.refundID) is already \(reviewCase.outcome.storedName.replacing("_", with: " "));"
                        + " it cannot be withdrawn"
                )
            }
            // Intake withdrew it and tells the user itself; review only closes its case.
            reviewCase.outcome = .withdrawn
            reviewCase.awaiting = nil
            reviewCase.decidedBy = "user"
            reviewCase.decidedAtMs = nowMs
            reviewCase.sla?.stop(at: nowMs, calendar: calendar)
            reviewCase.claimedBy = ""
            reviewCase.claimExpiresAtMs = 0
            try ReviewStore.updateDecision(db, reviewCase, nowMs: nowMs)
            try EvidenceLog.decision(db, reviewCase, event: "withdrawn", actor: "user", atMs: nowMs)
            return Ack(firstTime: true)
        }
    }

    public func getCase(_ request: GetCaseRequest, context: ServerContext) async throws -> ReviewCase {
        try Self.require(["refund_id": request.refundID], in: "GetCase")
        return try await store.read { db in
            let reviewCase = try Self.existingCase(db, refundID: request.refundID)
            return reviewCase.view(facts: try ReviewStore.facts(db, orderID: reviewCase.order.orderID))
        }
    }

    // MARK: Retrying the manual queue

    /// Decides again the undecided cases that wait for records (R-R2: the operator is asked
    /// again; R-R3: payment-channel's records are read again). Returns how many got a decision.
    @discardableResult
    public func retryAwaitingCases(limit: Int = 100) async throws -> Int {
        let waiting = try await store.read { db in try ReviewStore.awaitingCases(db, limit: limit) }
        var decided = 0
        let rules = self.rules
        for candidate in waiting {
            // Only a case waiting for payments needs them again (R-R3); the others wait for facts.
            let lookup =
                candidate.awaiting == .payments ? await lookUpPayments(for: candidate, logger: nil) : PaymentLookup()
            let operatorFact = try await askOperator(for: candidate, context: nil)
            let nowMs = now()
            let changed = try await store.write { db in
                guard var current = try ReviewStore.reviewCase(db, refundID: candidate.refundID),
                    current.outcome == .manual, current.awaiting != nil
                else { return false }
                if let operatorFact, try ReviewStore.insertFact(db, operatorFact, recordedAtMs: nowMs) {
                    try EvidenceLog.fact(db, operatorFact, refundID: current.refundID, actor: "operator", atMs: nowMs)
                }
                if lookup.failure == nil, lookup.asked {
                    try EvidenceLog.payments(db, lookup, for: current, atMs: nowMs)
                }
                return try Self.decide(db, &current, lookup: lookup, rules: rules, nowMs: nowMs)
            }
            if changed { decided += 1 }
        }
        return decided
    }

    // MARK: Deciding

    /// What payment-channel said about an order's payments, if it was asked.
    struct PaymentLookup: Sendable {
        var payments: [CapturedPayment] = []
        /// Why the payments could not be read, when they could not.
        var failure: String?
        /// Whether payment-channel was asked at all.
        var asked = false
        /// Who asked: "review", or "intake" when OpenCase carried intake's reading.
        var readBy = "review"
        /// When intake read them (Unix ms); 0 when review asked.
        var readAtMs: Int64 = 0
    }

    /// Intake's reading of the order's payments, carried in OpenCase, when it is recent enough to
    /// decide from (R-R3, R-R7; ``ReviewConfiguration/paymentsReuseMs``): payments are only ever
    /// added, so a reading of a few seconds ago can miss only one captured since, and the
    /// decision follows the submission by milliseconds when the mesh is healthy. A reading
    /// from the future (clocks apart) or too old is not used: review asks payment-channel.
    func carriedPayments(of request: OpenCaseRequest, nowMs: Int64) -> PaymentLookup? {
        let readAt = request.paymentsReadAtMs
        let limit = configuration.paymentsReuseMs
        guard readAt > 0, limit > 0, readAt <= nowMs + 1_000, nowMs - readAt <= limit else { return nil }
        return PaymentLookup(payments: request.capturedPayments, asked: true, readBy: "intake", readAtMs: readAt)
    }

    /// Decides `reviewCase` from the facts in the store and `lookup`, and when its outcome
    /// changes, records it and enqueues its messages. Returns whether the outcome changed.
    static func decide(
        _ db: some SQLSession,
        _ reviewCase: inout CaseRecord,
        lookup: PaymentLookup,
        rules: CaseRules,
        nowMs: Int64,
        forceRecord: Bool = false
    ) throws
        -> Bool
    {
        let facts = FulfillmentFacts(records: try ReviewStore.facts(db, orderID: reviewCase.order.orderID))
        let decision: AutomaticDecision
        if reviewCase.ground == .duplicateCharge, !reviewCase.flagged, let failure = lookup.failure {
            decision = .manual(reason: RuleReason(rule: .r3, text: ReviewText.paymentsUnavailable(failure)))
        } else {
            decision = AutomaticDecision.decide(
                order: reviewCase.order,
                ground: reviewCase.ground,
                requestedAmountFen: reviewCase.requestedAmountFen,
                facts: facts,
                payments: lookup.payments,
                paymentID: reviewCase.paymentID.isEmpty ? nil : reviewCase.paymentID,
                flag: reviewCase.flag
            )
        }
        let before = reviewCase.outcome
        reviewCase.apply(decision, nowMs: nowMs)
        rules.runClock(&reviewCase, nowMs: nowMs)
        try ReviewStore.updateDecision(db, reviewCase, nowMs: nowMs)
        // Still manual: the user was told already; nothing new to send.
        guard reviewCase.outcome != before || forceRecord else { return false }
        try EvidenceLog.decision(
            db,
            reviewCase,
            event: reviewCase.outcome == .manual ? "queued" : "decided",
            actor: "system",
            atMs: nowMs
        )
        guard reviewCase.outcome != before else { return false }
        try CaseMessages.enqueue(db, for: reviewCase, nowMs: nowMs)
        return true
    }

    /// Reads the order's captured payments when the case is about a duplicate charge (R-R3).
    private func lookUpPayments(for reviewCase: CaseRecord, logger context: ServerContext?) async -> PaymentLookup {
        // Every case asks: R-R3 decides duplicate charges from them, R-R7 scores duplicate payments.
        do {
            return PaymentLookup(
                payments: try await payments.capturedPayments(orderID: reviewCase.order.orderID),
                asked: true
            )
        } catch {
            context?.logger.notice(
                "payment records unavailable; case goes to the manual queue and is retried",
                metadata: ["refund.id": "\(reviewCase.refundID)", "error": "\(error)"]
            )
            return PaymentLookup(failure: "\(error)", asked: true)
        }
    }

    /// Whether the operator may be asked about the case's order (R-R2): a direct recharge the
    /// user says did not arrive or was not used, decided by the system.
    static func needsOperator(_ reviewCase: CaseRecord) -> Bool {
        reviewCase.order.productKind == .directRecharge && !reviewCase.needsPerson
            && (reviewCase.ground == .notUsed || reviewCase.ground == .deliveryFailed)
    }

    /// Asks the operator about a direct recharge the feed says nothing about (R-R2); the answer,
    /// when it is one, becomes a fact of the order (evidence, R-R9).
    private func askOperator(for reviewCase: CaseRecord, context: ServerContext?) async throws -> FulfillmentFact? {
        let order = reviewCase.order
        guard Self.needsOperator(reviewCase) else { return nil }
        let known = try await store.read { db in try ReviewStore.facts(db, orderID: order.orderID) }
        guard FulfillmentFacts(records: known).recharge == .unknown else { return nil }
        let answer: FulfillmentFacts.RechargeStatus
        do {
            answer = try await operatorAdapter.rechargeStatus(of: order)
        } catch {
            context?.logger.notice(
                "operator unavailable; case goes to the manual queue (R-R2)",
                metadata: ["refund.id": "\(reviewCase.refundID)", "error": "\(error)"]
            )
            return nil
        }
        let nowMs = now()
        switch answer {
        case .unknown:
            return nil
        case .credited, .failed:
            return FulfillmentFact(
                factID: "operator:\(order.orderID):\(nowMs)",
                orderID: order.orderID,
                kind: answer == .credited ? .rechargeCredited : .rechargeFailed,
                atMs: nowMs,
                detail: "answered by the operator adapter for refund \(reviewCase.refundID)"
            )
        }
    }
}
