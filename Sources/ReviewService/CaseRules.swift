import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshStore

/// The SLA settings a decision runs a case's clock with (R-R4).
struct CaseRules: Sendable {
    var serviceLevel: ServiceLevel
    var calendar: WorkingCalendar

    /// Keeps the SLA clock in step with the case's outcome: an undecided case in the queue has a
    /// running clock: automatic (minutes) while the system waits for records it can decide from,
    /// manual (working days) when a person must decide; a decided case's clock is stopped and
    /// its claim released.
    func runClock(_ reviewCase: inout CaseRecord, nowMs: Int64) {
        switch reviewCase.outcome {
        case .manual:
            let kind: ServiceLevel.Kind = reviewCase.awaiting == nil ? .manual : .automatic
            if let clock = reviewCase.sla, clock.kind == kind, !clock.stopped { return }
            reviewCase.sla = .start(kind, at: nowMs, level: serviceLevel, calendar: calendar)
            reviewCase.slaEscalation = 0
        case .awaitingMaterials:
            reviewCase.sla?.pause(at: nowMs, calendar: calendar)
        case .approved, .rejected, .offered, .offerDeclined, .withdrawn:
            reviewCase.sla?.stop(at: nowMs, calendar: calendar)
            reviewCase.claimedBy = ""
            reviewCase.claimExpiresAtMs = 0
        case .pending, .unspecified, .unrecognized:
            break
        }
    }
}

extension ReviewHandler {
    /// Why a new case jumps the queue (R-R8): the user is in elderly care, or the amount is at
    /// least ``ReviewConfiguration/largeAmountFen``.
    func greenChannel(for reviewCase: CaseRecord) -> [String] {
        var reasons: [String] = []
        if reviewCase.order.elderlyCare { reasons.append("elderly_care") }
        let amount =
            reviewCase.requestedAmountFen > 0
            ? min(reviewCase.requestedAmountFen, reviewCase.order.priceFen) : reviewCase.order.priceFen
        if amount >= configuration.largeAmountFen { reasons.append("large_amount") }
        return reasons
    }

    /// R-R7's inputs for a new case: the request, the order's payments (nil when they could not
    /// be read) and the user's other refund requests in the scorer's window.
    static func riskInputs(
        _ db: some SQLSession,
        for reviewCase: CaseRecord,
        payments: [CapturedPayment]?,
        windowDays: Int,
        nowMs: Int64
    ) throws -> RiskInputs {
        let since = nowMs - Int64(windowDays) * ServiceLevel.millisecondsPerDay
        let others =
            try db.value(
                Int.self,
                "SELECT COUNT(*) FROM review_cases WHERE user_id = ? AND submitted_at_ms >= ? AND refund_id != ?",
                [reviewCase.order.userID, since, reviewCase.refundID]
            ) ?? 0
        return RiskInputs(
            order: reviewCase.order,
            ground: reviewCase.ground,
            requestedAmountFen: reviewCase.requestedAmountFen,
            requesterDeviceID: reviewCase.requesterDeviceID,
            requesterIP: reviewCase.requesterIP,
            payments: payments,
            otherRefundRequests: others,
            userHistory: reviewCase.userHistory,
            flaggedForReview: reviewCase.flagged,
            flagReason: reviewCase.flagReason
        )
    }
}
