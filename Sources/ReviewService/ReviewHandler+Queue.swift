import CoreMetrics
import Foundation
import GRDB
import RefundMeshAPI
import RefundMeshAuth
import RefundMeshDomain
import RefundMeshRPC
import RefundMeshStore

// Reviewer work: the queue (R-R8), claims, decisions that record who and why (R-R10), requests
// for materials (R-R6), offers (R-R5), and SLA escalation (R-R4).
extension ReviewHandler {
    /// The metadata entry naming the reviewer. The security issue will authenticate it; until
    /// then it is taken as given and recorded with every decision (R-R10).
    public static let reviewerMetadataKey = "reviewer-id"

    // MARK: Queue

    public func listQueue(_ request: ListQueueRequest, context: ServerContext) async throws -> ListQueueResponse {
        _ = try Self.reviewer(context)
        let nowMs = now()
        let limit = Self.limit(request.limit)
        let level = configuration.serviceLevel
        let cases = try await store.read { db in
            try ReviewStore.queue(
                db,
                dueSoonBeforeMs: nowMs + level.warningMs,
                includeAwaitingMaterials: request.includeAwaitingMaterials,
                limit: limit
            )
        }
        return ListQueueResponse(items: cases.map { queueItem($0, nowMs: nowMs) }, asOfMs: nowMs)
    }

    public func listOverdue(_ request: ListOverdueRequest, context: ServerContext) async throws -> ListQueueResponse {
        let nowMs = now()
        let limit = Self.limit(request.limit)
        let cutoff = request.includeDueSoon ? nowMs + configuration.serviceLevel.warningMs : nowMs
        let cases = try await store.read { db in try ReviewStore.dueCases(db, dueBeforeMs: cutoff, limit: limit) }
        return ListQueueResponse(items: cases.map { queueItem($0, nowMs: nowMs) }, asOfMs: nowMs)
    }

    /// A case as the queue shows it, with its priority (R-R8) and SLA status (R-R4) at `nowMs`.
    func queueItem(_ reviewCase: CaseRecord, nowMs: Int64) -> QueueItem {
        let status = reviewCase.sla?.status(at: nowMs, level: configuration.serviceLevel)
        var reasons: [String] = []
        switch status {
        case .breached: reasons.append("sla_breached")
        case .dueSoon: reasons.append("sla_due_soon")
        default: break
        }
        reasons += reviewCase.greenChannel
        let priority: UInt32 =
            if status == .breached || status == .dueSoon { 1 } else if !reviewCase.greenChannel.isEmpty { 2 } else { 3 }
        return QueueItem(
            refundID: reviewCase.refundID,
            orderID: reviewCase.order.orderID,
            userID: reviewCase.order.userID,
            productKind: reviewCase.order.productKind,
            ground: reviewCase.ground,
            requestedAmountFen: reviewCase.requestedAmountFen,
            outcome: reviewCase.outcome,
            priority: priority,
            priorityReasons: reasons,
            slaDueAtMs: reviewCase.sla?.dueAtMs ?? 0,
            slaStatus: status.map(Self.slaStatus) ?? .unspecified,
            slaKind: reviewCase.sla?.kind.rawValue ?? "",
            claimedBy: reviewCase.isClaimed(at: nowMs) ? reviewCase.claimedBy : "",
            claimExpiresAtMs: reviewCase.isClaimed(at: nowMs) ? reviewCase.claimExpiresAtMs : 0,
            riskScore: reviewCase.risk?.score ?? 0,
            manualReason: reviewCase.manualReason,
            openedAtMs: reviewCase.createdAtMs
        )
    }

    static func slaStatus(_ status: SLAClock.Status) -> SlaStatus {
        switch status {
        case .onTrack: .onTrack
        case .dueSoon: .dueSoon
        case .breached: .breached
        case .paused: .paused
        case .met: .met
        }
    }

    // MARK: Claims

    public func claimCase(_ request: ClaimCaseRequest, context: ServerContext) async throws -> CaseClaim {
        let reviewer = try Self.reviewer(context)
        if !request.refundID.isEmpty { try Self.require(["refund_id": request.refundID], in: "ClaimCase") }
        let nowMs = now()
        let ttl = configuration.claimTTLMs
        let warning = configuration.serviceLevel.warningMs
        // One write transaction at a time: of two reviewers claiming one case, the second sees
        // the first's claim and is refused. Two reviewers can never both decide one case.
        return try await store.write { db in
            var reviewCase: CaseRecord
            if request.refundID.isEmpty {
                let candidates = try ReviewStore.queue(
                    db,
                    dueSoonBeforeMs: nowMs + warning,
                    includeAwaitingMaterials: false,
                    limit: 500
                )
                guard let next = candidates.first(where: { !$0.isClaimed(at: nowMs) || $0.claimedBy == reviewer })
                else {
                    throw RPCError(code: .notFound, message: "the review queue has no unclaimed case")
                }
                reviewCase = next
            } else {
                reviewCase = try Self.existingCase(db, refundID: request.refundID)
            }
            guard reviewCase.outcome == .manual || reviewCase.outcome == .awaitingMaterials else {
                throw RPCError(
                    code: .failedPrecondition,
                    message: "refund \(reviewCase.refundID) is \(Self.describe(reviewCase.outcome)); only cases in the"
                        + " review queue can be claimed"
                )
            }
            if reviewCase.isClaimed(at: nowMs), reviewCase.claimedBy != reviewer {
                throw RPCError(
                    code: .failedPrecondition,
                    message: "refund \(reviewCase.refundID) is claimed by \(reviewCase.claimedBy) until"
                        + " \(Self.isoTime(reviewCase.claimExpiresAtMs)); pick another case or wait for the claim"
                        + " to expire"
                )
            }
            reviewCase.claimedBy = reviewer
            reviewCase.claimExpiresAtMs = nowMs + ttl
            try ReviewStore.updateDecision(db, reviewCase, nowMs: nowMs)
            return CaseClaim(
                refundID: reviewCase.refundID,
                reviewerID: reviewer,
                expiresAtMs: reviewCase.claimExpiresAtMs
            )
        }
    }

    public func releaseCase(_ request: ReleaseCaseRequest, context: ServerContext) async throws -> Ack {
        let reviewer = try Self.reviewer(context)
        try Self.require(["refund_id": request.refundID], in: "ReleaseCase")
        let nowMs = now()
        return try await store.write { db in
            var reviewCase = try Self.existingCase(db, refundID: request.refundID)
            guard reviewCase.isClaimed(by: reviewer, at: nowMs) else {
                if reviewCase.isClaimed(at: nowMs) {
                    throw RPCError(
                        code: .failedPrecondition,
                        message: "refund \(request.refundID) is claimed by \(reviewCase.claimedBy), not by \(reviewer)"
                    )
                }
                return Ack(firstTime: false)
            }
            reviewCase.claimedBy = ""
            reviewCase.claimExpiresAtMs = 0
            try ReviewStore.updateDecision(db, reviewCase, nowMs: nowMs)
            return Ack(firstTime: true)
        }
    }

    // MARK: Detail

    public func getCaseDetail(_ request: GetCaseRequest, context: ServerContext) async throws -> CaseDetail {
        try Self.require(["refund_id": request.refundID], in: "GetCaseDetail")
        let nowMs = now()
        var detail = try await store.read { db in
            try caseDetail(db, reviewCase: try Self.existingCase(db, refundID: request.refundID), nowMs: nowMs)
        }
        do {
            detail.payments = try await payments.capturedPayments(orderID: detail.order?.orderID ?? "")
        } catch {
            detail.paymentsUnavailable = "\(error)"
        }
        return detail
    }

    func caseDetail(_ db: some SQLSession, reviewCase: CaseRecord, nowMs: Int64) throws -> CaseDetail {
        CaseDetail(
            reviewCase: reviewCase.view(facts: try ReviewStore.facts(db, orderID: reviewCase.order.orderID)),
            queue: queueItem(reviewCase, nowMs: nowMs),
            order: reviewCase.order,
            ground: reviewCase.ground,
            reasonStatement: reviewCase.reasonStatement,
            destination: reviewCase.destination,
            requestedAmountFen: reviewCase.requestedAmountFen,
            paymentID: reviewCase.paymentID,
            materials: try ReviewStore.materials(db, refundID: reviewCase.refundID),
            requestedMaterials: reviewCase.requestedMaterials,
            risk: reviewCase.risk,
            flagged: reviewCase.flagged,
            flagReason: reviewCase.flagReason,
            requesterDeviceID: reviewCase.requesterDeviceID,
            requesterIP: reviewCase.requesterIP,
            userHistory: reviewCase.userHistory,
            timeline: try EvidenceStore.timeline(db, refundID: reviewCase.refundID, locale: reviewCase.refundLocale)
        )
    }

    // MARK: Decisions

    /// A reviewer's decision (R-R10). The caller must hold the case's claim; the decision, its
    /// evidence (R-R9) and the messages it causes commit in one transaction.
    public func decideCase(_ request: DecideCaseRequest, context: ServerContext) async throws -> CaseDetail {
        let reviewer = try Self.reviewer(context)
        try Self.validate(request)
        let nowMs = now()
        let rules = self.rules
        return try await store.write { db in
            var reviewCase = try Self.existingCase(db, refundID: request.refundID)
            // Idempotent on decision_id: the same decision again answers the case as it is; the id
            // reused for another decision (other action, amount, case…) is refused.
            guard
                try Self.claim(
                    db,
                    eventID: "decision:" + request.decisionID,
                    for: request,
                    naming: "decision_id \(request.decisionID)"
                )
            else {
                return try caseDetail(db, reviewCase: reviewCase, nowMs: nowMs)
            }
            guard reviewCase.outcome == .manual || reviewCase.outcome == .awaitingMaterials else {
                throw RPCError(
                    code: .failedPrecondition,
                    message:
                        "refund \(request.refundID) is \(Self.describe(reviewCase.outcome)); there is nothing to decide"
                )
            }
            guard reviewCase.isClaimed(by: reviewer, at: nowMs) else {
                let holder =
                    reviewCase.isClaimed(at: nowMs)
                    ? "it is claimed by \(reviewCase.claimedBy)" : "nobody holds it (a claim expires after a while)"
                throw RPCError(
                    code: .failedPrecondition,
                    message: "claim refund \(request.refundID) before deciding it; \(holder)"
                )
            }
            try Self.applyReviewerDecision(request, to: &reviewCase, reviewer: reviewer, nowMs: nowMs)
            rules.runClock(&reviewCase, nowMs: nowMs)
            if reviewCase.outcome == .awaitingMaterials {
                reviewCase.claimedBy = ""
                reviewCase.claimExpiresAtMs = 0
                reviewCase.stepCounter += 1
            }
            try ReviewStore.updateDecision(db, reviewCase, nowMs: nowMs)
            let actor = "reviewer:\(reviewer)"
            try EvidenceLog.decision(db, reviewCase, event: "reviewer_decision", actor: actor, atMs: nowMs)
            try CaseMessages.enqueue(
                db,
                for: reviewCase,
                nowMs: nowMs,
                step: reviewCase.outcome == .awaitingMaterials ? "materials-requested-\(reviewCase.stepCounter)" : nil,
                actor: actor
            )
            return try caseDetail(db, reviewCase: reviewCase, nowMs: nowMs)
        }
    }

    /// Validates the request and sets the case's new outcome, amount, rule and reason.
    static func applyReviewerDecision(
        _ request: DecideCaseRequest,
        to reviewCase: inout CaseRecord,
        reviewer: String,
        nowMs: Int64
    ) throws {
        let order = reviewCase.order
        let full =
            reviewCase.requestedAmountFen > 0 ? min(reviewCase.requestedAmountFen, order.priceFen) : order.priceFen
        reviewCase.decisionNote = request.note
        reviewCase.negativeListItem = .unspecified
        reviewCase.requestedMaterials = []
        reviewCase.awaiting = nil
        reviewCase.manualReason = ""
        reviewCase.decidedBy = "reviewer:\(reviewer)"
        reviewCase.decidedAtMs = nowMs
        switch request.action {
        case .approveFull, .approvePartial:
            let amount = request.action == .approveFull ? full : request.amountFen
            guard amount > 0, amount <= full else {
                throw RPCError(
                    code: .invalidArgument,
                    message: "a partial approval needs amount_fen between 1 and \(full) fen (the amount requested);"
                        + " got \(request.amountFen)"
                )
            }
            reviewCase.outcome = .approved
            reviewCase.amountFen = amount
            reviewCase.decidedPaymentID = reviewCase.ground == .duplicateCharge ? reviewCase.paymentID : ""
            reviewCase.rule = approvalRule(reviewCase.ground).rawValue
            reviewCase.reason = ReviewText.reviewerApproved(
                amountFen: amount,
                partial: amount < full,
                note: request.note
            )
        case .reject:
            switch request.negativeListItem {
            case .unspecified, .unrecognized:
                throw RPCError(
                    code: .invalidArgument,
                    message: "a rejection names its negative-list entry (R-A3): negative_list_item is one of"
                        + " USER_MISTAKE, CANCEL_AFTER_USE, CARD_KEY_ACTIVATED, VALIDITY_EXPIRED, OUTSIDE_WINDOW"
                )
            default:
                break
            }
            reviewCase.outcome = .rejected
            reviewCase.amountFen = 0
            reviewCase.negativeListItem = request.negativeListItem
            reviewCase.rule = RuleID.a3.rawValue
            reviewCase.reason = ReviewText.reviewerRejected(request.negativeListItem, note: request.note)
        case .requestMaterials:
            let kinds = request.materials.filter { kind in
                switch kind {
                case .unspecified, .unrecognized: false
                default: true
                }
            }
            guard !kinds.isEmpty, kinds.count == request.materials.count else {
                throw RPCError(
                    code: .invalidArgument,
                    message: "a request for materials (R-R6) lists known materials: ORDER_PROOF, PAYMENT_PROOF,"
                        + " NON_USE_PROOF, REASON_STATEMENT"
                )
            }
            var unique: [MaterialKind] = []
            for kind in kinds where !unique.contains(kind) { unique.append(kind) }
            reviewCase.outcome = .awaitingMaterials
            reviewCase.amountFen = 0
            reviewCase.requestedMaterials = unique
            reviewCase.rule = RuleID.r6.rawValue
            reviewCase.reason = ReviewText.materialsRequested(unique, note: request.note)
            reviewCase.decidedBy = ""
            reviewCase.decidedAtMs = 0
        case .offer:
            guard order.productKind == .timeBased, order.totalDays > 0 else {
                throw RPCError(
                    code: .invalidArgument,
                    message: "a pro-rated offer (R-R5) is for time-based products with total_days; order"
                        + " \(order.orderID) is not one"
                )
            }
            let amount: Int64
            do {
                amount = try ProRating.offer(
                    priceFen: order.priceFen,
                    totalDays: Int(order.totalDays),
                    daysUsed: Int(request.daysUsed)
                )
            } catch {
                throw RPCError(code: .invalidArgument, message: error.description)
            }
            guard amount > 0 else {
                throw RPCError(
                    code: .invalidArgument,
                    message: "all \(order.totalDays) days are used: nothing is left to offer; reject under"
                        + " CANCEL_AFTER_USE instead"
                )
            }
            reviewCase.outcome = .offered
            reviewCase.amountFen = min(amount, full)
            reviewCase.rule = RuleID.r5.rawValue
            reviewCase.reason = ReviewText.reviewerOffer(
                amountFen: reviewCase.amountFen,
                daysUsed: Int(request.daysUsed),
                totalDays: Int(order.totalDays),
                note: request.note
            )
        case .unspecified, .unrecognized:
            throw RPCError(
                code: .invalidArgument,
                message: "action is one of APPROVE_FULL, APPROVE_PARTIAL, REJECT, REQUEST_MATERIALS, OFFER"
            )
        }
    }

    /// The rule an approval stands on: the platform-fault rule (R-R3) for duplicate charges and
    /// goods not as described, the partial-use rule (R-R5), otherwise the refundable ground (R-A2).
    static func approvalRule(_ ground: RefundGround) -> RuleID {
        switch ground {
        case .duplicateCharge, .notAsDescribed: .r3
        case .partlyUsed: .r5
        default: .a2
        }
    }

    // MARK: SLA escalation

    /// Warns the supervisors of cases due soon and escalates breaches (R-R4), once per level per
    /// clock run. Returns how many cases were escalated.
    @discardableResult
    public func escalateDueCases(limit: Int = 200) async throws -> Int {
        let nowMs = now()
        let level = configuration.serviceLevel
        let recipient = configuration.escalationRecipient
        let escalations = try await store.write { db in
            var escalated: [String] = []
            for var reviewCase in try ReviewStore.dueCases(db, dueBeforeMs: nowMs + level.warningMs, limit: limit) {
                guard let status = reviewCase.sla?.status(at: nowMs, level: level) else { continue }
                let breached = status == .breached
                let target = breached ? 2 : 1
                guard status == .breached || status == .dueSoon, reviewCase.slaEscalation < target else { continue }
                reviewCase.slaEscalation = target
                reviewCase.stepCounter += 1
                try ReviewStore.updateDecision(db, reviewCase, nowMs: nowMs)
                try EvidenceLog.decision(
                    db,
                    reviewCase,
                    event: breached ? "sla_breached" : "sla_due_soon",
                    actor: "system",
                    atMs: nowMs
                )
                try CaseMessages.enqueueEscalation(
                    db,
                    for: reviewCase,
                    breached: breached,
                    recipient: recipient,
                    nowMs: nowMs
                )
                escalated.append(breached ? "breached" : "due_soon")
            }
            return escalated
        }
        // Counted once committed: `review_sla_escalations_total{level}` (R-R4 breaches and warnings).
        for level in escalations {
            Counter(label: "review_sla_escalations_total", dimensions: [("level", level)]).increment()
        }
        return escalations.count
    }

    // MARK: Helpers

    /// The caller's reviewer id (R-R10): the subject of the verified reviewer token, so every
    /// claim and decision is attributed to the person who signed in (docs/SECURITY.md). A
    /// `reviewer-id` entry, if sent, must name the same person. Without authentication (a
    /// handler tested on its own) the entry alone names the reviewer.
    static func reviewer(_ context: ServerContext) throws -> String {
        if let caller = Caller.current {
            let claimed = context.metadata[reviewerMetadataKey]?.trimmingCharacters(in: .whitespaces)
            if let claimed, !claimed.isEmpty, claimed != caller.subject {
                throw RPCError(
                    code: .permissionDenied,
                    message:
                        "reviewer-id \(claimed.prefix(64)) is not the reviewer this token was issued to (\(caller.subject)); a reviewer acts only as themself (R-R10)"
                )
            }
            return caller.subject
        }
        guard let id = context.metadata[reviewerMetadataKey]?.trimmingCharacters(in: .whitespaces), !id.isEmpty else {
            throw RPCError(
                code: .unauthenticated,
                message: "reviewer calls need the '\(reviewerMetadataKey)' metadata entry naming the reviewer (R-R10)"
            )
        }
        guard id.count <= 64, id.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
            throw RPCError(
                code: .invalidArgument,
                message: "reviewer id '\(id.prefix(64))' must be 1-64 letters, digits or -_.@"
            )
        }
        return id
    }

    static func limit(_ requested: UInt32) -> Int {
        requested == 0 ? 50 : Int(min(requested, 500))
    }

    static func describe(_ outcome: ReviewCase.Outcome) -> String {
        outcome.storedName.replacing("_", with: " ")
    }

    static func isoTime(_ ms: Int64) -> String {
        Date(timeIntervalSince1970: Double(ms) / 1000).ISO8601Format()
    }
}
