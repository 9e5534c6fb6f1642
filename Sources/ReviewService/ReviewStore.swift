import Foundation
import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshStore

/// Review's SQLite store: fulfillment facts, cases with their decisions, and the materials
/// added to them.
///
/// Every method takes the `Database` of the caller's ``Store/write(_:)`` or ``Store/read(_:)``
/// transaction, so a decision, the outbox messages it causes and the idempotency claim of the
/// request that caused it commit together.
public enum ReviewStore {
    /// The review service's migrations, in order. Never edit one that has shipped: add another.
    public static let migrations: [StoreMigration] = [
        StoreMigration("review.1.fulfillment-facts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE fulfillment_facts (
                        fact_id TEXT PRIMARY KEY NOT NULL,
                        order_id TEXT NOT NULL,
                        kind INTEGER NOT NULL,
                        at_ms INTEGER NOT NULL,
                        days_used INTEGER NOT NULL,
                        detail TEXT NOT NULL,
                        recorded_at_ms INTEGER NOT NULL
                    );
                    CREATE INDEX fulfillment_facts_by_order ON fulfillment_facts (order_id, at_ms, fact_id);
                    """
            )
        },
        StoreMigration("review.2.cases") { db in
            // `awaiting` names what an undecided manual case waits for ('facts': a fulfillment
            // fact or the operator's answer, R-R2/R-R5; 'payments': payment-channel's records,
            // R-R3); NULL when only a person can decide it.
            try db.execute(
                sql: """
                    CREATE TABLE review_cases (
                        refund_id TEXT PRIMARY KEY NOT NULL,
                        order_id TEXT NOT NULL,
                        user_id TEXT NOT NULL,
                        order_bytes BLOB NOT NULL,
                        ground INTEGER NOT NULL,
                        requested_amount_fen INTEGER NOT NULL,
                        destination INTEGER NOT NULL,
                        payment_id TEXT NOT NULL,
                        flagged INTEGER NOT NULL,
                        flag_reason TEXT NOT NULL,
                        locale TEXT NOT NULL,
                        reason_statement TEXT NOT NULL,
                        submitted_at_ms INTEGER NOT NULL,
                        outcome TEXT NOT NULL,
                        amount_fen INTEGER NOT NULL DEFAULT 0,
                        decided_payment_id TEXT NOT NULL DEFAULT '',
                        rule TEXT NOT NULL DEFAULT '',
                        reason_zh TEXT NOT NULL DEFAULT '',
                        reason_en TEXT NOT NULL DEFAULT '',
                        decided_by TEXT NOT NULL DEFAULT '',
                        decided_at_ms INTEGER NOT NULL DEFAULT 0,
                        manual_reason TEXT NOT NULL DEFAULT '',
                        awaiting TEXT,
                        created_at_ms INTEGER NOT NULL,
                        updated_at_ms INTEGER NOT NULL
                    );
                    CREATE INDEX review_cases_by_order ON review_cases (order_id);
                    CREATE INDEX review_cases_awaiting ON review_cases (awaiting) WHERE awaiting IS NOT NULL;
                    """
            )
        },
        StoreMigration("review.3.materials") { db in
            try db.execute(
                sql: """
                    CREATE TABLE case_materials (
                        refund_id TEXT NOT NULL REFERENCES review_cases (refund_id),
                        sha256_hex TEXT NOT NULL,
                        kind INTEGER NOT NULL,
                        file_name TEXT NOT NULL,
                        content_type TEXT NOT NULL,
                        size_bytes INTEGER NOT NULL,
                        event_id TEXT NOT NULL,
                        added_at_ms INTEGER NOT NULL,
                        PRIMARY KEY (refund_id, sha256_hex, kind)
                    );
                    """
            )
        },
        StoreMigration("review.4.reviewer-queue") { db in
            // R-R4 SLA clock, R-R7 risk, R-R8 green channel, R-R6 requested materials, R-R10 claims
            // and decisions. `queue_rank` orders the reviewer queue: 2 green channel, 3 normal (the
            // SLA's urgency is added when the queue is read, from the due time).
            try db.execute(
                sql: """
                    ALTER TABLE review_cases ADD COLUMN requester_device_id TEXT NOT NULL DEFAULT '';
                    ALTER TABLE review_cases ADD COLUMN requester_ip TEXT NOT NULL DEFAULT '';
                    ALTER TABLE review_cases ADD COLUMN user_history BLOB;
                    ALTER TABLE review_cases ADD COLUMN risk BLOB;
                    ALTER TABLE review_cases ADD COLUMN risk_score INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE review_cases ADD COLUMN green_channel TEXT NOT NULL DEFAULT '';
                    ALTER TABLE review_cases ADD COLUMN queue_rank INTEGER NOT NULL DEFAULT 3;
                    ALTER TABLE review_cases ADD COLUMN sla_kind TEXT;
                    ALTER TABLE review_cases ADD COLUMN sla_budget_ms INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE review_cases ADD COLUMN sla_consumed_ms INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE review_cases ADD COLUMN sla_running_since_ms INTEGER;
                    ALTER TABLE review_cases ADD COLUMN sla_due_at_ms INTEGER;
                    ALTER TABLE review_cases ADD COLUMN sla_stopped INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE review_cases ADD COLUMN sla_escalation INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE review_cases ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
                    ALTER TABLE review_cases ADD COLUMN claim_expires_at_ms INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE review_cases ADD COLUMN requested_materials TEXT NOT NULL DEFAULT '';
                    ALTER TABLE review_cases ADD COLUMN decision_note TEXT NOT NULL DEFAULT '';
                    ALTER TABLE review_cases ADD COLUMN negative_list_item INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE review_cases ADD COLUMN step_counter INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX review_cases_queue ON review_cases (outcome, queue_rank, sla_due_at_ms);
                    CREATE INDEX review_cases_sla ON review_cases (sla_due_at_ms) WHERE sla_due_at_ms IS NOT NULL;
                    CREATE INDEX review_cases_by_user ON review_cases (user_id, submitted_at_ms);
                    """
            )
        },
        EvidenceStore.migration,
        EvidenceStore.checkpointsMigration,
    ]

    // MARK: Facts

    /// Stores `fact` unless its id is known; true when it is new.
    public static func insertFact(_ db: some SQLSession, _ fact: FulfillmentFact, recordedAtMs: Int64) throws -> Bool {
        try db.run(
            """
            INSERT INTO fulfillment_facts (fact_id, order_id, kind, at_ms, days_used, detail, recorded_at_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (fact_id) DO NOTHING
            """,
            [
                fact.factID, fact.orderID, Int(fact.kind.rawValue), fact.atMs, Int(fact.daysUsed), fact.detail,
                recordedAtMs,
            ]
        ) > 0
    }

    /// The fact recorded under `id`, if any.
    public static func fact(_ db: some SQLSession, id: String) throws -> FulfillmentFact? {
        try db.row("SELECT * FROM fulfillment_facts WHERE fact_id = ?", [id])
            .map(Self.fact(from:))
    }

    /// The order's facts, oldest first.
    public static func facts(_ db: some SQLSession, orderID: String) throws -> [FulfillmentFact] {
        try db.rows("SELECT * FROM fulfillment_facts WHERE order_id = ? ORDER BY at_ms, fact_id", [orderID]).map(
            Self.fact(from:)
        )
    }

    static func fact(from row: SQLRow) throws -> FulfillmentFact {
        FulfillmentFact(
            factID: try row["fact_id"],
            orderID: try row["order_id"],
            kind: FulfillmentFact.Kind(rawValue: Int32(truncatingIfNeeded: try row["kind"] as Int)),
            atMs: try row["at_ms"],
            daysUsed: Int32(truncatingIfNeeded: try row["days_used"] as Int),
            detail: try row["detail"]
        )
    }

    // MARK: Cases

    /// Inserts a new case; false when the refund id already has one.
    public static func insertCase(_ db: some SQLSession, _ reviewCase: CaseRecord) throws -> Bool {
        try db.run(
            """
            INSERT INTO review_cases
                (refund_id, order_id, user_id, order_bytes, ground, requested_amount_fen, destination,
                 payment_id, flagged, flag_reason, locale, reason_statement, submitted_at_ms, outcome,
                 created_at_ms, updated_at_ms, requester_device_id, requester_ip, user_history, risk,
                 risk_score, green_channel, queue_rank)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (refund_id) DO NOTHING
            """,
            [
                reviewCase.refundID, reviewCase.order.orderID, reviewCase.order.userID,
                Data(try reviewCase.order.serializedBytes()), Int(reviewCase.ground.rawValue),
                reviewCase.requestedAmountFen, Int(reviewCase.destination.rawValue), reviewCase.paymentID,
                reviewCase.flagged, reviewCase.flagReason, reviewCase.locale, reviewCase.reasonStatement,
                reviewCase.submittedAtMs, reviewCase.outcome.storedName, reviewCase.createdAtMs,
                reviewCase.createdAtMs, reviewCase.requesterDeviceID, reviewCase.requesterIP,
                try reviewCase.userHistory.map { Data(try $0.serializedBytes()) },
                try reviewCase.risk.map { Data(try $0.serializedBytes()) }, reviewCase.risk?.score ?? 0,
                reviewCase.greenChannel.joined(separator: ","), reviewCase.greenChannel.isEmpty ? 3 : 2,
            ]
        ) > 0
    }

    /// Writes a case's outcome, decision, SLA clock, claim and queue state.
    public static func updateDecision(_ db: some SQLSession, _ reviewCase: CaseRecord, nowMs: Int64) throws {
        let sla = reviewCase.sla
        try db.run(
            """
            UPDATE review_cases SET outcome = ?, amount_fen = ?, decided_payment_id = ?, rule = ?, reason_zh = ?,
                reason_en = ?, decided_by = ?, decided_at_ms = ?, manual_reason = ?, awaiting = ?,
                updated_at_ms = ?, sla_kind = ?, sla_budget_ms = ?, sla_consumed_ms = ?, sla_running_since_ms = ?,
                sla_due_at_ms = ?, sla_stopped = ?, sla_escalation = ?, claimed_by = ?, claim_expires_at_ms = ?,
                requested_materials = ?, decision_note = ?, negative_list_item = ?, step_counter = ?
            WHERE refund_id = ?
            """,
            [
                reviewCase.outcome.storedName, reviewCase.amountFen, reviewCase.decidedPaymentID, reviewCase.rule,
                reviewCase.reason.zhCN, reviewCase.reason.en, reviewCase.decidedBy, reviewCase.decidedAtMs,
                reviewCase.manualReason, reviewCase.awaiting?.rawValue, nowMs, sla?.kind.rawValue, sla?.budgetMs ?? 0,
                sla?.consumedMs ?? 0, sla?.runningSinceMs, sla?.dueAtMs, sla?.stopped ?? false,
                reviewCase.slaEscalation, reviewCase.claimedBy, reviewCase.claimExpiresAtMs,
                reviewCase.requestedMaterials.map { String($0.rawValue) }.joined(separator: ","),
                reviewCase.decisionNote, Int(reviewCase.negativeListItem.rawValue), reviewCase.stepCounter,
                reviewCase.refundID,
            ]
        )
    }

    /// The case of `refundID`, or nil.
    public static func reviewCase(_ db: some SQLSession, refundID: String) throws -> CaseRecord? {
        try db.row("SELECT * FROM review_cases WHERE refund_id = ?", [refundID])
            .map(CaseRecord.init(row:))
    }

    /// Undecided cases of `orderID` waiting for `awaiting`, oldest first.
    public static func awaitingCases(
        _ db: some SQLSession,
        orderID: String? = nil,
        awaiting: CaseRecord.Awaiting? = nil,
        limit: Int = 100
    ) throws -> [CaseRecord] {
        try db.rows(
            """
            SELECT * FROM review_cases
            WHERE awaiting IS NOT NULL AND (CAST(? AS TEXT) IS NULL OR order_id = ?)
                AND (CAST(? AS TEXT) IS NULL OR awaiting = ?)
            ORDER BY created_at_ms, refund_id LIMIT ?
            """,
            [orderID, orderID, awaiting?.rawValue, awaiting?.rawValue, limit]
        ).map(CaseRecord.init(row:))
    }

    // MARK: Materials

    /// Adds materials to a case; already known ones (same hash and kind) are kept as they are.
    /// Returns how many were new.
    @discardableResult
    public static func addMaterials(
        _ db: some SQLSession,
        refundID: String,
        attachments: [AttachmentRef],
        eventID: String,
        nowMs: Int64
    ) throws -> Int {
        var added = 0
        for attachment in attachments {
            added += try db.run(
                """
                INSERT INTO case_materials
                    (refund_id, sha256_hex, kind, file_name, content_type, size_bytes, event_id, added_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (refund_id, sha256_hex, kind) DO NOTHING
                """,
                [
                    refundID, attachment.sha256Hex, Int(attachment.kind.rawValue), attachment.fileName,
                    attachment.contentType, attachment.sizeBytes, eventID, nowMs,
                ]
            )
        }
        return added
    }

    /// Replaces the case's reason statement (R-A5) with a newer one.
    public static func updateReasonStatement(
        _ db: some SQLSession,
        refundID: String,
        statement: String,
        nowMs: Int64
    ) throws {
        try db.run(
            "UPDATE review_cases SET reason_statement = ?, updated_at_ms = ? WHERE refund_id = ?",
            [statement, nowMs, refundID]
        )
    }

    /// The case's materials, in the order they were added.
    public static func materials(_ db: some SQLSession, refundID: String) throws -> [AttachmentRef] {
        try db.rows(
            "SELECT * FROM case_materials WHERE refund_id = ? ORDER BY added_at_ms, \(db.dialect.insertionOrder)",
            [refundID]
        )
        .map { row in
            AttachmentRef(
                kind: MaterialKind(rawValue: Int32(truncatingIfNeeded: try row["kind"] as Int)),
                fileName: try row["file_name"],
                contentType: try row["content_type"],
                sha256Hex: try row["sha256_hex"],
                sizeBytes: try row["size_bytes"]
            )
        }
    }
}

// MARK: Reviewer queue

extension ReviewStore {
    /// The cases waiting for a person (R-R8): SLA breached or due before `dueSoonBeforeMs` first,
    /// then the green channel (elderly care, large amounts), then the rest; within each, the
    /// earliest due time first. Cases waiting for the user's materials come last, when asked for.
    public static func queue(
        _ db: some SQLSession,
        dueSoonBeforeMs: Int64,
        includeAwaitingMaterials: Bool,
        limit: Int
    ) throws -> [CaseRecord] {
        try db.rows(
            """
            SELECT * FROM review_cases
            WHERE outcome = 'manual' OR (? = 1 AND outcome = 'awaiting_materials')
            ORDER BY
                CASE
                    WHEN outcome = 'awaiting_materials' THEN 9
                    WHEN sla_due_at_ms IS NOT NULL AND sla_due_at_ms <= ? THEN 1
                    ELSE queue_rank
                END,
                COALESCE(sla_due_at_ms, 9223372036854775807), created_at_ms, refund_id
            LIMIT ?
            """,
            [includeAwaitingMaterials, dueSoonBeforeMs, limit]
        ).map(CaseRecord.init(row:))
    }

    /// Undecided cases with a running SLA clock due before `dueBeforeMs`, earliest first (R-R4).
    public static func dueCases(_ db: some SQLSession, dueBeforeMs: Int64, limit: Int) throws -> [CaseRecord] {
        try db.rows(
            """
            SELECT * FROM review_cases
            WHERE sla_due_at_ms IS NOT NULL AND sla_due_at_ms <= ? AND outcome = 'manual'
            ORDER BY sla_due_at_ms, refund_id
            LIMIT ?
            """,
            [dueBeforeMs, limit]
        ).map(CaseRecord.init(row:))
    }
}
