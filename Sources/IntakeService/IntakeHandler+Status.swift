import GRDB
import RefundMeshAPI
import RefundMeshRPC
import RefundMeshStore

extension IntakeHandler {
    /// A status change from review or payment-channel (R-T2: the timeline is complete and
    /// ordered). Idempotent on event_id; an update that arrives after a later one still joins the
    /// timeline in its place but does not move the state back.
    public func applyStatus(_ request: StatusUpdate, context: ServerContext) async throws -> Ack {
        guard !request.eventID.isEmpty, !request.refundID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "a status update needs event_id and refund_id")
        }
        let nowMs = now()
        let isNew = try await store.write { db -> Bool in
            guard var record = try RefundRecord.fetch(db, id: request.refundID) else {
                throw RPCError(code: .notFound, message: "refund \(request.refundID) is not known to intake")
            }
            guard try ProcessedEvents.claim(db, eventID: request.eventID) else { return false }
            try RefundRecord.appendTimeline(
                db,
                refundID: record.refundID,
                TimelineEntry(
                    atMs: request.atMs > 0 ? request.atMs : nowMs,
                    state: request.state,
                    rule: request.rule,
                    reason: request.reason,
                    actor: request.actor,
                    amountFen: request.amountFen
                )
            )
            if !record.state.isFinal, request.state.rank > record.state.rank {
                record.state = request.state
            }
            switch request.state {
            case .approved, .offered:
                record.decidedAmountFen = request.amountFen
            case .moneySent, .moneyArrived:
                if request.amountFen > 0 { record.decidedAmountFen = request.amountFen }
                record.feeFen = request.feeFen
                if request.expectedArrivalMs > 0 { record.expectedArrivalMs = request.expectedArrivalMs }
            case .awaitingMaterials:
                record.requestedMaterials = request.requestedMaterials
            default:
                break
            }
            record.updatedAtMs = nowMs
            try record.update(db)
            return true
        }
        if isNew { feed.changed(request.refundID) }
        return Ack(firstTime: isNew)
    }
}
