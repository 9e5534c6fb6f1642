import Foundation
import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshStore

/// A review case as the store keeps it: the request intake sent (OpenCase) and the decision on it.
public struct CaseRecord: Sendable, Hashable {
    /// What an undecided manual case is waiting for before the system can decide it itself.
    public enum Awaiting: String, Sendable, Hashable {
        /// A fulfillment fact or the operator's answer (R-R2 recharge unknown, R-R5 no usage record).
        case facts
        /// payment-channel's records of captured payments (R-R3), which were unavailable or showed
        /// no second payment yet.
        case payments
    }

    public var refundID: String
    public var order: Order
    public var ground: RefundGround
    public var requestedAmountFen: Int64
    public var destination: Destination
    /// The payment the user names for a duplicate charge (R-R3).
    public var paymentID: String
    /// R-A7 flag from intake.
    public var flagged: Bool
    public var flagReason: String
    public var locale: String
    public var reasonStatement: String
    public var submittedAtMs: Int64
    public var createdAtMs: Int64

    public var outcome: ReviewCase.Outcome = .pending
    /// The amount approved or offered.
    public var amountFen: Int64 = 0
    /// The payment an approval refunds (a duplicate charge, R-R3); empty for the order's payment.
    public var decidedPaymentID: String = ""
    public var rule: String = ""
    /// The decision's reason in both languages (R-N2), so it can be shown later in either.
    public var reason = LocalizedText(zhCN: "", en: "")
    /// "system", or the reviewer's id (R-R10); empty while undecided.
    public var decidedBy: String = ""
    public var decidedAtMs: Int64 = 0
    public var manualReason: String = ""
    public var awaiting: Awaiting?

    /// Who asked, from where (R-R7 compares them with the buyer's).
    public var requesterDeviceID: String = ""
    public var requesterIP: String = ""
    /// Intake's summary of the user's purchases (R-R7).
    public var userHistory: UserHistory?
    /// The risk score and its reasons, computed when the case opened (R-R7).
    public var risk: RiskAssessment?
    /// Why the case jumps the queue (R-R8): "elderly_care", "large_amount".
    public var greenChannel: [String] = []
    /// The SLA clock (R-R4); nil for cases decided when they opened.
    public var sla: SLAClock?
    /// 0: none yet; 1: the supervisors were warned it is due soon; 2: breached and escalated.
    public var slaEscalation: Int = 0
    /// The reviewer holding the case, until `claimExpiresAtMs` (R-R10).
    public var claimedBy: String = ""
    public var claimExpiresAtMs: Int64 = 0
    /// What the reviewer asked for and the user has not supplied yet (R-R6).
    public var requestedMaterials: [MaterialKind] = []
    /// The reviewer's reason (R-R10).
    public var decisionNote: String = ""
    /// The negative-list entry of a manual rejection (R-A3).
    public var negativeListItem: NegativeListItem = .unspecified
    /// Counts the case's repeatable steps (materials asked, materials received, escalations), so
    /// each gets its own event id.
    public var stepCounter: Int64 = 0

    public init(
        refundID: String,
        order: Order,
        ground: RefundGround,
        requestedAmountFen: Int64,
        destination: Destination,
        paymentID: String,
        flagged: Bool,
        flagReason: String,
        locale: String,
        reasonStatement: String,
        submittedAtMs: Int64,
        createdAtMs: Int64
    ) {
        self.refundID = refundID
        self.order = order
        self.ground = ground
        self.requestedAmountFen = requestedAmountFen
        self.destination = destination
        self.paymentID = paymentID
        self.flagged = flagged
        self.flagReason = flagReason
        self.locale = locale
        self.reasonStatement = reasonStatement
        self.submittedAtMs = submittedAtMs
        self.createdAtMs = createdAtMs
    }

    /// The case from an OpenCase request, pending.
    public init(request: OpenCaseRequest, nowMs: Int64) {
        self.init(
            refundID: request.refundID,
            order: request.order ?? Order(),
            ground: request.ground,
            requestedAmountFen: request.requestedAmountFen,
            destination: request.destination,
            paymentID: request.paymentID,
            flagged: request.flaggedForReview,
            flagReason: request.flagReason,
            locale: RefundLocale(tag: request.locale).tag,
            reasonStatement: request.reasonStatement,
            submittedAtMs: request.submittedAtMs,
            createdAtMs: nowMs
        )
        requesterDeviceID = request.requesterDeviceID
        requesterIP = request.requesterIP
        userHistory = request.userHistory
    }

    /// Whether only a person may decide: flagged by intake (R-A7) or by the risk score (R-R7).
    public var needsPerson: Bool { flagged || (risk?.manual ?? false) }

    /// Whether `reviewerID` holds the case at `nowMs`.
    public func isClaimed(by reviewerID: String, at nowMs: Int64) -> Bool {
        claimedBy == reviewerID && claimExpiresAtMs > nowMs
    }

    /// Whether someone holds the case at `nowMs`.
    public func isClaimed(at nowMs: Int64) -> Bool { !claimedBy.isEmpty && claimExpiresAtMs > nowMs }

    /// The user's language.
    public var refundLocale: RefundLocale { RefundLocale(tag: locale) }

    /// Whether a final decision was made: the case can no longer be withdrawn or re-decided.
    public var isFinal: Bool {
        switch outcome {
        case .approved, .rejected, .offerDeclined, .withdrawn: true
        case .pending, .offered, .manual, .awaitingMaterials, .unspecified, .unrecognized: false
        }
    }

    /// The R-A7 flag, or the R-R7 risk verdict, as the rules take it, when a person must decide.
    public var flag: RuleReason? {
        if flagged {
            let text = flagReason.isEmpty ? "flagged by intake" : flagReason
            return RuleReason(rule: .a7, text: LocalizedText(zhCN: text, en: text))
        }
        if let risk, risk.manual {
            return RuleReason(rule: .r7, text: ReviewText.riskScore(risk))
        }
        return nil
    }

    /// The case as GetCase shows it, with the order's facts.
    public func view(facts: [FulfillmentFact]) -> ReviewCase {
        ReviewCase(
            refundID: refundID,
            orderID: order.orderID,
            outcome: outcome,
            amountFen: amountFen,
            rule: rule,
            reason: reason.text(refundLocale),
            decidedBy: decidedBy,
            decidedAtMs: decidedAtMs,
            manualReason: manualReason,
            facts: facts,
            decisionNote: decisionNote,
            negativeListItem: negativeListItem
        )
    }
}

extension CaseRecord {
    /// Decodes a `review_cases` row.
    init(row: SQLRow) throws {
        let orderBytes: Data = try row["order_bytes"]
        self.init(
            refundID: try row["refund_id"],
            order: try Order(serializedBytes: [UInt8](orderBytes)),
            ground: RefundGround(rawValue: Int32(truncatingIfNeeded: try row["ground"] as Int)),
            requestedAmountFen: try row["requested_amount_fen"],
            destination: Destination(rawValue: Int32(truncatingIfNeeded: try row["destination"] as Int)),
            paymentID: try row["payment_id"],
            flagged: try row["flagged"],
            flagReason: try row["flag_reason"],
            locale: try row["locale"],
            reasonStatement: try row["reason_statement"],
            submittedAtMs: try row["submitted_at_ms"],
            createdAtMs: try row["created_at_ms"]
        )
        outcome = ReviewCase.Outcome(storedName: try row["outcome"])
        amountFen = try row["amount_fen"]
        decidedPaymentID = try row["decided_payment_id"]
        rule = try row["rule"]
        reason = LocalizedText(zhCN: try row["reason_zh"], en: try row["reason_en"])
        decidedBy = try row["decided_by"]
        decidedAtMs = try row["decided_at_ms"]
        manualReason = try row["manual_reason"]
        awaiting = (try row["awaiting"] as String?).flatMap(Awaiting.init(rawValue:))
        requesterDeviceID = try row["requester_device_id"]
        requesterIP = try row["requester_ip"]
        if let bytes = try row["user_history"] as Data? {
            userHistory = try UserHistory(serializedBytes: [UInt8](bytes))
        }
        if let bytes = try row["risk"] as Data? { risk = try RiskAssessment(serializedBytes: [UInt8](bytes)) }
        greenChannel = (try row["green_channel"] as String).split(separator: ",").map(String.init)
        if let kindName = try row["sla_kind"] as String?, let kind = ServiceLevel.Kind(rawValue: kindName) {
            sla = SLAClock(
                kind: kind,
                budgetMs: try row["sla_budget_ms"],
                consumedMs: try row["sla_consumed_ms"],
                runningSinceMs: try row["sla_running_since_ms"],
                dueAtMs: try row["sla_due_at_ms"],
                stopped: try row["sla_stopped"]
            )
        }
        slaEscalation = try row["sla_escalation"]
        claimedBy = try row["claimed_by"]
        claimExpiresAtMs = try row["claim_expires_at_ms"]
        requestedMaterials = (try row["requested_materials"] as String).split(separator: ",")
            .compactMap { Int32($0) }.map { MaterialKind(rawValue: $0) }
        decisionNote = try row["decision_note"]
        negativeListItem = NegativeListItem(rawValue: Int32(truncatingIfNeeded: try row["negative_list_item"] as Int))
        stepCounter = try row["step_counter"]
    }
}

extension ReviewCase.Outcome {
    /// The outcome's name in the `review_cases.outcome` column.
    var storedName: String {
        switch self {
        case .unspecified, .unrecognized: "pending"
        case .pending: "pending"
        case .approved: "approved"
        case .rejected: "rejected"
        case .offered: "offered"
        case .manual: "manual"
        case .awaitingMaterials: "awaiting_materials"
        case .withdrawn: "withdrawn"
        case .offerDeclined: "offer_declined"
        }
    }

    init(storedName: String) {
        switch storedName {
        case "approved": self = .approved
        case "rejected": self = .rejected
        case "offered": self = .offered
        case "manual": self = .manual
        case "awaiting_materials": self = .awaitingMaterials
        case "withdrawn": self = .withdrawn
        case "offer_declined": self = .offerDeclined
        default: self = .pending
        }
    }
}
