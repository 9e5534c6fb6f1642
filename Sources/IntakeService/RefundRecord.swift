import Foundation
import GRDB
import RefundMeshAPI
import RefundMeshStore

/// One row of `refunds`: a refund as intake keeps it.
struct RefundRecord: Sendable, Hashable {
    var refundID: String
    var orderID: String
    var userID: String
    var idempotencyKey: String
    var requestDigest: String
    var state: RefundState
    var ground: RefundGround
    var source: RequestSource
    var destination: Destination
    var paymentID: String
    var requestedAmountFen: Int64
    var decidedAmountFen: Int64 = 0
    var feeFen: Int64 = 0
    var expectedArrivalMs: Int64 = 0
    var requestedMaterials: [MaterialKind] = []
    var flagged = false
    var flagReason = ""
    var locale: String
    var createdAtMs: Int64
    var updatedAtMs: Int64

    init(row: SQLRow) throws {
        refundID = try row["refund_id"]
        orderID = try row["order_id"]
        userID = try row["user_id"]
        idempotencyKey = try row["idempotency_key"]
        requestDigest = try row["request_digest"]
        state = RefundState(rawValue: Int32(truncatingIfNeeded: try row["state"] as Int))
        ground = RefundGround(rawValue: Int32(truncatingIfNeeded: try row["ground"] as Int))
        source = RequestSource(rawValue: Int32(truncatingIfNeeded: try row["source"] as Int))
        destination = Destination(rawValue: Int32(truncatingIfNeeded: try row["destination"] as Int))
        paymentID = try row["payment_id"]
        requestedAmountFen = try row["requested_amount_fen"]
        decidedAmountFen = try row["decided_amount_fen"]
        feeFen = try row["fee_fen"]
        expectedArrivalMs = try row["expected_arrival_ms"]
        requestedMaterials = (try row["requested_materials"] as String).split(separator: ",").compactMap { Int32($0) }
            .map(
                MaterialKind.init(rawValue:)
            )
        flagged = (try row["flagged"] as Int) != 0
        flagReason = try row["flag_reason"]
        locale = try row["locale"]
        createdAtMs = try row["created_at_ms"]
        updatedAtMs = try row["updated_at_ms"]
    }

    init(
        refundID: String,
        orderID: String,
        userID: String,
        idempotencyKey: String,
        requestDigest: String,
        ground: RefundGround,
        source: RequestSource,
        destination: Destination,
        paymentID: String,
        requestedAmountFen: Int64,
        flagged: Bool,
        flagReason: String,
        locale: String,
        nowMs: Int64
    ) {
        self.refundID = refundID
        self.orderID = orderID
        self.userID = userID
        self.idempotencyKey = idempotencyKey
        self.requestDigest = requestDigest
        self.state = .received
        self.ground = ground
        self.source = source
        self.destination = destination
        self.paymentID = paymentID
        self.requestedAmountFen = requestedAmountFen
        self.flagged = flagged
        self.flagReason = flagReason
        self.locale = locale
        self.createdAtMs = nowMs
        self.updatedAtMs = nowMs
    }

    func insert(_ db: some SQLSession) throws {
        try db.run(
            """
            INSERT INTO refunds (refund_id, order_id, user_id, idempotency_key, request_digest, state, ground, source,
                destination, payment_id, requested_amount_fen, flagged, flag_reason, locale, created_at_ms, updated_at_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                refundID, orderID, userID, idempotencyKey, requestDigest, Int(state.rawValue), Int(ground.rawValue),
                Int(source.rawValue), Int(destination.rawValue), paymentID, requestedAmountFen, flagged ? 1 : 0,
                flagReason,
                locale, createdAtMs, updatedAtMs,
            ]
        )
    }

    /// Writes the fields a status update can change.
    func update(_ db: some SQLSession) throws {
        try db.run(
            """
            UPDATE refunds SET state = ?, decided_amount_fen = ?, fee_fen = ?, expected_arrival_ms = ?,
                requested_materials = ?, updated_at_ms = ?
            WHERE refund_id = ?
            """,
            [
                Int(state.rawValue), decidedAmountFen, feeFen, expectedArrivalMs,
                requestedMaterials.map { String($0.rawValue) }.joined(separator: ","), updatedAtMs, refundID,
            ]
        )
    }

    static func fetch(_ db: some SQLSession, id: String) throws -> RefundRecord? {
        try db.row("SELECT * FROM refunds WHERE refund_id = ?", [id]).map(
            RefundRecord.init(row:)
        )
    }

    static func fetch(_ db: some SQLSession, userID: String, idempotencyKey: String) throws -> RefundRecord? {
        try db.row("SELECT * FROM refunds WHERE user_id = ? AND idempotency_key = ?", [userID, idempotencyKey]).map(
            RefundRecord.init(row:)
        )
    }

    static func fetchAll(_ db: some SQLSession, userID: String, limit: Int) throws -> [RefundRecord] {
        try db.rows(
            "SELECT * FROM refunds WHERE user_id = ? ORDER BY created_at_ms DESC, refund_id DESC LIMIT ?",
            [userID, limit]
        ).map(RefundRecord.init(row:))
    }

    // MARK: Timeline

    /// Appends a step; its sequence number orders steps with equal times.
    static func appendTimeline(_ db: some SQLSession, refundID: String, _ entry: TimelineEntry) throws {
        let next =
            try db.value(
                Int64.self,
                "SELECT COALESCE(MAX(sequence), 0) + 1 FROM timeline WHERE refund_id = ?",
                [refundID]
            ) ?? 1
        try db.run(
            """
            INSERT INTO timeline (refund_id, sequence, at_ms, state, rule, reason, actor, amount_fen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                refundID, next, entry.atMs, Int(entry.state.rawValue), entry.rule, entry.reason, entry.actor,
                entry.amountFen,
            ]
        )
    }

    static func timeline(_ db: some SQLSession, refundID: String) throws -> [TimelineEntry] {
        try db.rows("SELECT * FROM timeline WHERE refund_id = ? ORDER BY at_ms, sequence", [refundID]).map { row in
            TimelineEntry(
                atMs: try row["at_ms"],
                state: RefundState(rawValue: Int32(truncatingIfNeeded: try row["state"] as Int)),
                rule: try row["rule"],
                reason: try row["reason"],
                actor: try row["actor"],
                amountFen: try row["amount_fen"],
                sequence: try row["sequence"]
            )
        }
    }

    // MARK: Views

    /// The refund as its user sees it, with attachments and the whole timeline (R-T2).
    func view(_ db: some SQLSession) throws -> RefundView {
        RefundView(
            refundID: refundID,
            orderID: orderID,
            userID: userID,
            state: state,
            ground: ground,
            source: source,
            destination: destination,
            requestedAmountFen: requestedAmountFen,
            decidedAmountFen: decidedAmountFen,
            feeFen: feeFen,
            expectedArrivalMs: expectedArrivalMs,
            attachments: try IntakeStore.attachments(db, of: refundID),
            requestedMaterials: requestedMaterials,
            flaggedForReview: flagged,
            flagReason: flagReason,
            timeline: try Self.timeline(db, refundID: refundID),
            createdAtMs: createdAtMs,
            updatedAtMs: updatedAtMs
        )
    }
}
