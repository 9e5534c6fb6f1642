import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshRPC
import RefundMeshStore
import RefundMeshWire

extension IntakeHandler {
    /// A status change from review or payment-channel (R-T2: the timeline is complete and
    /// ordered). Idempotent on event_id; an update that arrives after a later one still joins the
    /// timeline in its place but does not move the state back.
    public func applyStatus(_ request: StatusUpdate, context: ServerContext) async throws -> Ack {
        let nowMs = now()
        try IntakeValidation.validate(request, now: nowMs)
        let bytes = try request.serializedBytes()
        let feed = self.feed
        let outcome = try await store.write { db in
            try Self.apply(request, bytes: bytes, in: db, nowMs: nowMs, feed: feed)
        }
        await tellWatchers(outcome, of: request.refundID)
        guard case .applied = outcome else { return Ack(firstTime: false) }
        return Ack(firstTime: true)
    }

    /// Several ApplyStatus in one write (docs/PROTOCOL.md, "Batches"): each update is checked and
    /// applied, or refused, exactly as ``applyStatus(_:context:)`` would do it, in the order sent.
    public func applyStatusBatch(_ request: StatusUpdateBatch, context: ServerContext) async throws -> BatchAck {
        try BatchWrite.checkSize(request.items.count, field: "items")
        let nowMs = now()
        let checked = BatchWrite.check(
            request.items,
            field: "update",
            request: \.update,
            traceID: \.traceID,
            validate: { try IntakeValidation.validate($0, now: nowMs) }
        )
        let feed = self.feed
        let outcomes = try await BatchWrite.apply(checked, in: store) { db, item in
            try Self.apply(item.0, bytes: item.1, in: db, nowMs: nowMs, feed: feed)
        }
        for (item, outcome) in zip(request.items, outcomes) {
            if case .success(let applied) = outcome, let refundID = item.update?.refundID {
                await tellWatchers(applied, of: refundID)
            }
        }
        return BatchWrite.ack(outcomes) { applied in
            if case .applied = applied { return true }
            return false
        }
    }

    /// Applies one checked update in the caller's write (R-T2, R-R6, R-C8); throws an
    /// ``RPCError`` to refuse it.
    static func apply(
        _ request: StatusUpdate,
        bytes: [UInt8],
        in db: any SQLSession,
        nowMs: Int64,
        feed: RefundFeed
    ) throws -> AppliedStatus {
        guard var record = try RefundRecord.fetch(db, id: request.refundID) else {
            throw RPCError(code: .notFound, message: "refund \(request.refundID) is not known to intake")
        }
        switch try ProcessedEvents.claim(db, eventID: request.eventID, request: bytes) {
        case .first:
            break
        case .replay:
            return .replayed
        case .conflict(let stored):
            // An event id names one update: the same id with other facts is refused, not dropped.
            let fields = (try? StatusUpdate(serializedBytes: stored)).map { FieldDifferences.between($0, request) }
            throw RPCError(
                code: .alreadyExists,
                message: "event \(request.eventID) was already applied with a different "
                    + (fields ?? ["content"]).joined(separator: ", ") + "; use a new event id for a new update"
            )
        }
        // Under review ⇄ awaiting materials (R-R6) go both ways: between those two the later
        // update wins, where elsewhere the state only moves forward by rank.
        let reviewStates: Set<RefundState> = [.underReview, .awaitingMaterials]
        var backInReview = false
        if reviewStates.contains(request.state), reviewStates.contains(record.state), request.state != record.state {
            let latest = try db.value(
                Int64.self,
                "SELECT MAX(at_ms) FROM timeline WHERE refund_id = ? AND state IN (?, ?)",
                [
                    record.refundID, RefundState.underReview.rawValue, RefundState.awaitingMaterials.rawValue,
                ]
            )
            backInReview = request.atMs >= (latest ?? 0)
        }
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
        // R-C8: a reversal moves an arrived refund back; after it, only updates made later than
        // the reversal move it on (a stale MONEY_ARRIVED delivered late does not).
        let reversal = request.state == .moneyReversed && [.moneySent, .moneyArrived].contains(record.state)
        var moves = !record.state.isFinal && (request.state.rank > record.state.rank || backInReview)
        if moves, record.state == .moneyReversed {
            let reversedAt = try db.value(
                Int64.self,
                "SELECT MAX(at_ms) FROM timeline WHERE refund_id = ? AND state = ?",
                [record.refundID, RefundState.moneyReversed.rawValue]
            )
            moves = request.atMs >= (reversedAt ?? 0)
        }
        if reversal || moves {
            record.state = request.state
            if request.state == .underReview { record.requestedMaterials = [] }
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
        // For WatchRefund (``RefundFeed``): built here, on the writer's warm cache, when
        // someone watches this refund.
        return .applied(feed.isWatched(record.refundID) ? try record.view(db) : nil)
    }

    /// Gives WatchRefund's watchers of `refundID` the view an applied update left (``RefundFeed``).
    private func tellWatchers(_ outcome: AppliedStatus, of refundID: String) async {
        guard case .applied(let view) = outcome else { return }
        if let view {
            feed.changed(view)
        } else if feed.isWatched(refundID) {
            // A watcher that subscribed after the write looked may have read the refund before
            // this commit: give it the committed view. The update stands whatever this read does;
            // a watcher that misses it sees the refund's next change.
            let committed = try? await store.read { db in try RefundRecord.fetch(db, id: refundID)?.view(db) }
            if let committed { feed.changed(committed) }
        }
    }
}

/// What one ApplyStatus did to the store.
enum AppliedStatus: Sendable {
    /// The event was applied before; nothing changed.
    case replayed
    /// Applied now; the refund's new view if it was built in the write.
    case applied(RefundView?)
}
