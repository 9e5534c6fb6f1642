import Foundation
import GRDB
import RefundMeshAPI

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

    init(row: Row) {
        refundID = row["refund_id"]
        orderID = row["order_id"]
        userID = row["user_id"]
        idempotencyKey = row["idempotency_key"]
        requestDigest = row["request_digest"]
        state = RefundState(rawValue: Int32(truncatingIfNeeded: row["state"] as Int))
        ground = RefundGround(rawValue: Int32(truncatingIfNeeded: row["ground"] as Int))
        source = RequestSource(rawValue: Int32(truncatingIfNeeded: row["source"] as Int))
        destination = Destination(rawValue: Int32(truncatingIfNeeded: row["destination"] as Int))
        paymentID = row["payment_id"]
        requestedAmountFen = row["requested_amount_fen"]
        decidedAmountFen = row["decided_amount_fen"]
        feeFen = row["fee_fen"]
        expectedArrivalMs = row["expected_arrival_ms"]
        requestedMaterials = (row["requested_materials"] as String).split(separator: ",").compactMap { Int32($0) }.map(
            MaterialKind.init(rawValue:)
        )
        flagged = (row["flagged"] as Int) != 0
        flagReason = row["flag_reason"]
        locale = row["locale"]
        createdAtMs = row["created_at_ms"]
        updatedAtMs = row["updated_at_ms"]
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

    func insert(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO refunds (refund_id, order_id, user_id, idempotency_key, request_digest, state, ground, source,
                    destination, payment_id, requested_amount_fen, flagged, flag_reason, locale, created_at_ms, updated_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                refundID, orderID, userID, idempotencyKey, requestDigest, Int(state.rawValue), Int(ground.rawValue),
                Int(source.rawValue), Int(destination.rawValue), paymentID, requestedAmountFen, flagged ? 1 : 0,
                flagReason,
                locale, createdAtMs, updatedAtMs,
            ]
        )
    }

    /// Writes the fields a status update can change.
    func update(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE refunds SET state = ?, decided_amount_fen = ?, fee_fen = ?, expected_arrival_ms = ?,
                    requested_materials = ?, updated_at_ms = ?
                WHERE refund_id = ?
                """
        ).execute(
            arguments: [
                Int(state.rawValue), decidedAmountFen, feeFen, expectedArrivalMs,
                requestedMaterials.map { String($0.rawValue) }.joined(separator: ","), updatedAtMs, refundID,
            ]
        )
    }

    static func fetch(_ db: Database, id: String) throws -> RefundRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM refunds WHERE refund_id = ?"), arguments: [id]).map(
            RefundRecord.init(row:)
        )
    }

    static func fetch(_ db: Database, userID: String, idempotencyKey: String) throws -> RefundRecord? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM refunds WHERE user_id = ? AND idempotency_key = ?"),
            arguments: [userID, idempotencyKey]
        ).map(RefundRecord.init(row:))
    }

    static func fetchAll(_ db: Database, userID: String, limit: Int) throws -> [RefundRecord] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT * FROM refunds WHERE user_id = ? ORDER BY created_at_ms DESC, refund_id DESC LIMIT ?"
            ),
            arguments: [userID, limit]
        ).map(RefundRecord.init(row:))
    }

    // MARK: Timeline

    /// Appends a step; its sequence number orders steps with equal times.
    static func appendTimeline(_ db: Database, refundID: String, _ entry: TimelineEntry) throws {
        let next =
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT COALESCE(MAX(sequence), 0) + 1 FROM timeline WHERE refund_id = ?"),
                arguments: [refundID]
            ) ?? 1
        try db.cachedStatement(
            sql: """
                INSERT INTO timeline (refund_id, sequence, at_ms, state, rule, reason, actor, amount_fen)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                refundID, next, entry.atMs, Int(entry.state.rawValue), entry.rule, entry.reason, entry.actor,
                entry.amountFen,
            ]
        )
    }

    static func timeline(_ db: Database, refundID: String) throws -> [TimelineEntry] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM timeline WHERE refund_id = ? ORDER BY at_ms, sequence"),
            arguments: [refundID]
        ).map { row in
            TimelineEntry(
                atMs: row["at_ms"],
                state: RefundState(rawValue: Int32(truncatingIfNeeded: row["state"] as Int)),
                rule: row["rule"],
                reason: row["reason"],
                actor: row["actor"],
                amountFen: row["amount_fen"],
                sequence: row["sequence"]
            )
        }
    }

    // MARK: Views

    /// The refund as its user sees it, with attachments and the whole timeline (R-T2).
    func view(_ db: Database) throws -> RefundView {
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
