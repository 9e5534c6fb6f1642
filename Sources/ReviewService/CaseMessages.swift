import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshStore

/// The cross-service messages a case's new outcome causes, enqueued in the transaction that
/// records the outcome (the transactional outbox, ARCHITECTURE.md "The mesh").
///
/// Each message carries a deterministic event id, `<refund id>:<step>` (e.g. `r-1:approved`),
/// which the receiver deduplicates on; the outbox row's id is `<destination>/<event id>`, so one
/// step's messages to different peers are distinct rows and a step enqueued twice is stored once.
public enum CaseMessages {
    /// The peer names, as `PeerDirectory` knows them.
    public static let intake = "intake"
    public static let notification = "notification"
    public static let paymentChannel = "payment-channel"

    /// The step name of an outcome, used in event ids; nil for outcomes that send nothing.
    public static func step(for outcome: ReviewCase.Outcome) -> String? {
        switch outcome {
        case .approved: "approved"
        case .rejected: "rejected"
        case .offered: "offered"
        case .manual: "under-review"
        case .offerDeclined: "offer-declined"
        case .awaitingMaterials: "materials-requested"
        case .pending, .withdrawn, .unspecified, .unrecognized: nil
        }
    }

    /// The outbox row id of a message for `destination`.
    public static func outboxID(destination: String, eventID: String) -> String { destination + "/" + eventID }

    /// Enqueues ApplyStatus to intake, as outbox row `intake/<event id>`.
    static func applyStatus(_ db: some SQLSession, _ update: StatusUpdate) throws {
        try OutboxDispatcher.enqueue(
            db,
            eventID: outboxID(destination: intake, eventID: update.eventID),
            destination: intake,
            method: Intake.Method.applyStatus,
            request: update,
            orderingKey: update.refundID
        )
    }

    /// Enqueues Publish to notification, as outbox row `notification/<event id>`.
    static func publish(_ db: some SQLSession, _ event: RefundEvent) throws {
        try OutboxDispatcher.enqueue(
            db,
            eventID: outboxID(destination: notification, eventID: event.eventID),
            destination: notification,
            method: Notification.Method.publish,
            request: event,
            orderingKey: event.refundID
        )
    }

    /// Enqueues ApplyStatus to intake and Publish to notification for the case's outcome, and
    /// ExecuteRefund to payment-channel for an approval.
    ///
    /// - Parameters:
    ///   - step: the event's step name when the outcome's own (``step(for:)``) can repeat, e.g.
    ///     `materials-requested-2` for a second request for materials (R-R6).
    ///   - notify: false for changes the user is not told about separately (the case returning
    ///     to the queue after materials arrived shows on the timeline).
    ///   - actor: who decided, as the timeline shows it: "review" for the system, or
    ///     "reviewer:<id>" (R-R10).
    static func enqueue(
        _ db: some SQLSession,
        for reviewCase: CaseRecord,
        nowMs: Int64,
        step stepOverride: String? = nil,
        notify: Bool = true,
        actor: String = "review"
    ) throws {
        guard let step = stepOverride ?? step(for: reviewCase.outcome) else { return }
        let eventID = "\(reviewCase.refundID):\(step)"
        let (state, kind) = stateAndKind(reviewCase.outcome)
        let reasonText = reviewCase.reason.text(reviewCase.refundLocale)
        try applyStatus(
            db,
            StatusUpdate(
                eventID: eventID,
                refundID: reviewCase.refundID,
                state: state,
                rule: reviewCase.rule,
                reason: reasonText,
                actor: actor,
                amountFen: reviewCase.amountFen,
                requestedMaterials: reviewCase.requestedMaterials,
                atMs: nowMs
            )
        )
        if notify {
            try publish(
                db,
                RefundEvent(
                    eventID: eventID,
                    userID: reviewCase.order.userID,
                    refundID: reviewCase.refundID,
                    orderID: reviewCase.order.orderID,
                    kind: kind,
                    amountFen: reviewCase.amountFen,
                    rule: reviewCase.rule,
                    reason: reasonText,
                    materials: reviewCase.requestedMaterials,
                    atMs: nowMs,
                    locale: reviewCase.locale
                )
            )
        }
        guard reviewCase.outcome == .approved else { return }
        // payment-channel pays once per refund id (R-C5), so a redelivery is harmless.
        try OutboxDispatcher.enqueue(
            db,
            eventID: outboxID(destination: paymentChannel, eventID: "\(reviewCase.refundID):execute-refund"),
            destination: paymentChannel,
            method: PaymentChannel.Method.executeRefund,
            request: ExecuteRefundRequest(
                refundID: reviewCase.refundID,
                orderID: reviewCase.order.orderID,
                userID: reviewCase.order.userID,
                amountFen: reviewCase.amountFen,
                destination: reviewCase.destination,
                platformFault: FeeSchedule.isPlatformFault(reviewCase.ground),
                paymentID: reviewCase.decidedPaymentID
            ),
            orderingKey: reviewCase.refundID
        )
    }

    private static func stateAndKind(_ outcome: ReviewCase.Outcome) -> (RefundState, RefundEvent.Kind) {
        switch outcome {
        case .approved: (.approved, .approved)
        case .rejected: (.rejected, .rejected)
        case .offered: (.offered, .offerMade)
        case .offerDeclined: (.offerDeclined, .offerDeclined)
        case .awaitingMaterials: (.awaitingMaterials, .materialsNeeded)
        default: (.underReview, .flaggedForReview)
        }
    }

    /// R-R4: an SLA escalation. The supervisors' inbox (`recipient`) hears of cases due soon and
    /// of breaches; the user hears of a breach, and intake's timeline records it.
    static func enqueueEscalation(
        _ db: some SQLSession,
        for reviewCase: CaseRecord,
        breached: Bool,
        recipient: String,
        nowMs: Int64
    ) throws {
        let step = breached ? "sla-breached-\(reviewCase.stepCounter)" : "sla-due-soon-\(reviewCase.stepCounter)"
        let eventID = "\(reviewCase.refundID):\(step)"
        let due = reviewCase.sla?.dueAtMs ?? 0
        let supervisorText =
            breached ? ReviewText.slaBreached : ReviewText.slaDueSoon(refundID: reviewCase.refundID)
        try publish(
            db,
            RefundEvent(
                eventID: eventID + ":supervisors",
                userID: recipient,
                refundID: reviewCase.refundID,
                orderID: reviewCase.order.orderID,
                kind: .slaEscalated,
                amountFen: reviewCase.requestedAmountFen,
                rule: RuleID.r4.rawValue,
                reason: "refund \(reviewCase.refundID) of user \(reviewCase.order.userID): "
                    + supervisorText.en + (due > 0 ? " Due at \(due) ms." : ""),
                atMs: nowMs,
                locale: "en"
            )
        )
        guard breached else { return }
        let text = ReviewText.slaBreached.text(reviewCase.refundLocale)
        try publish(
            db,
            RefundEvent(
                eventID: eventID,
                userID: reviewCase.order.userID,
                refundID: reviewCase.refundID,
                orderID: reviewCase.order.orderID,
                kind: .slaEscalated,
                rule: RuleID.r4.rawValue,
                reason: text,
                atMs: nowMs,
                locale: reviewCase.locale
            )
        )
        try applyStatus(
            db,
            StatusUpdate(
                eventID: eventID,
                refundID: reviewCase.refundID,
                state: .underReview,
                rule: RuleID.r4.rawValue,
                reason: text,
                actor: "review",
                atMs: nowMs
            )
        )
    }
}
