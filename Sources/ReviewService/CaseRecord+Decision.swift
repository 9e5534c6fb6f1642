import RefundMeshAPI
import RefundMeshDomain

extension CaseRecord {
    /// Takes `decision` as the case's outcome: approvals, rejections and offers are decided by
    /// "system"; a manual decision leaves the case undecided in the manual queue, and notes what
    /// it waits for when the records could still decide it (R-R2 "retried", R-R3, R-R5).
    mutating func apply(_ decision: AutomaticDecision, nowMs: Int64) {
        rule = decision.reason.rule.rawValue
        reason = decision.reason.text
        amountFen = decision.amountFen
        decidedPaymentID = ""
        awaiting = nil
        manualReason = ""
        switch decision {
        case .approve(_, let paymentID, _):
            outcome = .approved
            decidedPaymentID = paymentID ?? ""
        case .reject:
            outcome = .rejected
        case .offer:
            outcome = .offered
        case .manual(let reason):
            outcome = .manual
            manualReason = reason.message(refundLocale)
            awaiting = waitsForRecords
            decidedBy = ""
            decidedAtMs = 0
            return
        }
        decidedBy = "system"
        decidedAtMs = nowMs
    }

    /// What could let the system decide this case itself, if it goes to the manual queue.
    private var waitsForRecords: Awaiting? {
        if needsPerson { return nil }  // R-A7, R-R7: a person decides, whatever the records say.
        switch ground {
        case .duplicateCharge: return .payments
        case .notAsDescribed, .unspecified, .unrecognized: return nil
        case .notUsed, .deliveryFailed, .partlyUsed:
            switch order.productKind {
            case .directRecharge, .timeBased: return .facts
            case .cardKey, .virtualService, .unspecified, .unrecognized: return nil
            }
        }
    }
}
