import Foundation
import GRDB
import RefundMeshAPI
import RefundMeshDomain

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
    }

    /// The user's language.
    public var refundLocale: RefundLocale { RefundLocale(tag: locale) }

    /// Whether a final decision was made: the case can no longer be withdrawn or re-decided.
    public var isFinal: Bool {
        switch outcome {
        case .approved, .rejected, .offerDeclined, .withdrawn: true
        case .pending, .offered, .manual, .awaitingMaterials, .unspecified, .unrecognized: false
        }
    }

    /// The R-A7 flag as the rules take it, when the request is flagged.
    public var flag: RuleReason? {
        guard flagged else { return nil }
        let text = flagReason.isEmpty ? "flagged by intake" : flagReason
        return RuleReason(rule: .a7, text: LocalizedText(zhCN: text, en: text))
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
            facts: facts
        )
    }
}

extension CaseRecord {
    /// Decodes a `review_cases` row.
    init(row: Row) throws {
        let orderBytes: Data = row["order_bytes"]
        self.init(
            refundID: row["refund_id"],
            order: try Order(serializedBytes: [UInt8](orderBytes)),
            ground: RefundGround(rawValue: Int32(truncatingIfNeeded: row["ground"] as Int)),
            requestedAmountFen: row["requested_amount_fen"],
            destination: Destination(rawValue: Int32(truncatingIfNeeded: row["destination"] as Int)),
            paymentID: row["payment_id"],
            flagged: row["flagged"],
            flagReason: row["flag_reason"],
            locale: row["locale"],
            reasonStatement: row["reason_statement"],
            submittedAtMs: row["submitted_at_ms"],
            createdAtMs: row["created_at_ms"]
        )
        outcome = ReviewCase.Outcome(storedName: row["outcome"])
        amountFen = row["amount_fen"]
        decidedPaymentID = row["decided_payment_id"]
        rule = row["rule"]
        reason = LocalizedText(zhCN: row["reason_zh"], en: row["reason_en"])
        decidedBy = row["decided_by"]
        decidedAtMs = row["decided_at_ms"]
        manualReason = row["manual_reason"]
        awaiting = (row["awaiting"] as String?).flatMap(Awaiting.init(rawValue:))
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
