import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshStore
import RefundMeshTracing

/// The messages a refund payment's state changes send, enqueued in the transaction of the change
/// (transactional outbox): intake's ApplyStatus (the refund's timeline, R-T2) and notification's
/// Publish (the user is told, R-N1).
///
/// Event ids are derived from the refund id and the step (`r-1:money-sent`), so a state change
/// that is recorded again — a retry, a duplicate provider confirmation (R-C9) — produces the same
/// id and the receivers show it once (R-N3). The outbox row of each destination is keyed
/// `<event id>@<destination>`.
public enum RefundNotices {
    /// The actor named in intake's timeline.
    public static let actor = "payment-channel"
    /// The peers the messages go to (``PeerDirectory`` names).
    public static let intake = "intake"
    public static let notification = "notification"

    /// The event id of one step of a refund: `money-sent`, `money-arrived` or `failed`.
    public static func eventID(refundID: String, step: String) -> String { "\(refundID):\(step)" }

    /// The outbox row id of an event for a destination.
    public static func outboxID(eventID: String, destination: String) -> String { "\(eventID)@\(destination)" }

    /// MONEY_SENT: paid back the way the money came (R-C1), or to the balance.
    static func moneySent(_ db: some SQLSession, _ refund: RefundPaymentRecord, at nowMs: Int64) throws {
        let fee = refund.feeFen > 0 ? "，扣除手续费 \(RefundText.money(refund.feeFen))（R-C2）" : ""
        let reason =
            "已退回\(RefundText.paymentMethod(refund.method).zhCN) \(RefundText.money(refund.amountFen))\(fee)，"
            + "退款单号 \(refund.providerRefundNo)"
        try enqueueStep(
            db,
            refund,
            step: "money-sent",
            state: .moneySent,
            kind: .moneySent,
            rule: "R-C1",
            reason: reason,
            at: nowMs
        )
    }

    /// MONEY_ARRIVED: the provider (or our ledger) confirmed the money arrived (R-C3).
    static func moneyArrived(_ db: some SQLSession, _ refund: RefundPaymentRecord, at nowMs: Int64) throws {
        let reason =
            "\(RefundText.money(refund.netFen)) 已到账\(RefundText.paymentMethod(refund.method).zhCN)"
        try enqueueStep(
            db,
            refund,
            step: "money-arrived",
            state: .moneyArrived,
            kind: .moneyArrived,
            rule: "R-C3",
            reason: reason,
            at: nowMs
        )
    }

    /// FAILED: the provider refused or closed the refund (R-C6, R-C8). Intake records it; the
    /// notification API has no "refund failed" kind, so operators follow up from intake's state.
    static func failed(_ db: some SQLSession, _ refund: RefundPaymentRecord, at nowMs: Int64) throws {
        try enqueueStatus(
            db,
            refund,
            eventID: eventID(refundID: refund.refundID, step: "failed"),
            state: .failed,
            rule: "R-C6",
            reason: refund.failureReason ?? "",
            at: nowMs
        )
    }

    static func enqueueStep(
        _ db: some SQLSession,
        _ refund: RefundPaymentRecord,
        step: String,
        state: RefundState,
        kind: RefundEvent.Kind,
        rule: String,
        reason: String,
        at nowMs: Int64
    ) throws {
        let eventID = eventID(refundID: refund.refundID, step: step)
        try enqueueStatus(db, refund, eventID: eventID, state: state, rule: rule, reason: reason, at: nowMs)
        try enqueuePublish(
            db,
            RefundEvent(
                eventID: eventID,
                userID: refund.userID,
                refundID: refund.refundID,
                orderID: refund.orderID,
                kind: kind,
                amountFen: refund.amountFen,
                feeFen: refund.feeFen,
                rule: rule,
                reason: reason,
                expectedArrivalMs: refund.expectedArrivalMs,
                atMs: nowMs,
                // ExecuteRefund carries no locale; notification renders Chinese, the default (R-N2).
                locale: "zh-CN"
            )
        )
    }

    /// Enqueues intake's ApplyStatus of `refund` in `state` under `eventID`.
    static func enqueueStatus(
        _ db: some SQLSession,
        _ refund: RefundPaymentRecord,
        eventID: String,
        state: RefundState,
        rule: String,
        reason: String,
        at nowMs: Int64
    ) throws {
        try OutboxDispatcher.enqueue(
            db,
            eventID: outboxID(eventID: eventID, destination: intake),
            destination: intake,
            method: Intake.Method.applyStatus,
            request: status(refund, eventID: eventID, state: state, rule: rule, reason: reason, at: nowMs),
            orderingKey: refund.refundID,
            traceID: try trace(db, refundID: refund.refundID)
        )
    }

    /// Enqueues notification's Publish of `event`, named by its event id.
    static func enqueuePublish(_ db: some SQLSession, _ event: RefundEvent) throws {
        try OutboxDispatcher.enqueue(
            db,
            eventID: outboxID(eventID: event.eventID, destination: notification),
            destination: notification,
            method: Notification.Method.publish,
            request: event,
            orderingKey: event.refundID,
            traceID: try trace(db, refundID: event.refundID)
        )
    }

    /// The refund's own trace (the ExecuteRefund call's), else the current task's.
    private static func trace(_ db: some SQLSession, refundID: String) throws -> String? {
        let stored = try db.value(String.self, "SELECT trace_id FROM refund_payments WHERE refund_id = ?", [refundID])
        return stored ?? TraceID.current
    }

    private static func status(
        _ refund: RefundPaymentRecord,
        eventID: String,
        state: RefundState,
        rule: String,
        reason: String,
        at nowMs: Int64
    ) -> StatusUpdate {
        StatusUpdate(
            eventID: eventID,
            refundID: refund.refundID,
            state: state,
            rule: rule,
            reason: reason,
            actor: actor,
            amountFen: refund.amountFen,
            feeFen: refund.feeFen,
            expectedArrivalMs: refund.expectedArrivalMs,
            atMs: nowMs
        )
    }
}
