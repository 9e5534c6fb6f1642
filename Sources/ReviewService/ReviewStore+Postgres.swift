import RefundMeshPostgres

extension ReviewStore {
    /// ``migrations`` in PostgreSQL's dialect, under the same names and in the same order, so a
    /// schema version means the same on both engines (docs/SCALING.md). Never edit one that has
    /// shipped: add the next one to both lists. INTEGER is BIGINT and BLOB is BYTEA here;
    /// `case_materials.seq` and `evidence_checkpoints.id` are identity columns where SQLite
    /// orders by its rowid.
    public static let postgresMigrations: [PostgresMigration] = [
        PostgresMigration(
            "review.1.fulfillment-facts",
            [
                """
                CREATE TABLE fulfillment_facts (
                    fact_id TEXT PRIMARY KEY NOT NULL,
                    order_id TEXT NOT NULL,
                    kind BIGINT NOT NULL,
                    at_ms BIGINT NOT NULL,
                    days_used BIGINT NOT NULL,
                    detail TEXT NOT NULL,
                    recorded_at_ms BIGINT NOT NULL
                )
                """,
                "CREATE INDEX fulfillment_facts_by_order ON fulfillment_facts (order_id, at_ms, fact_id)",
            ]
        ),
        PostgresMigration(
            "review.2.cases",
            [
                """
                CREATE TABLE review_cases (
                    refund_id TEXT PRIMARY KEY NOT NULL,
                    order_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    order_bytes BYTEA NOT NULL,
                    ground BIGINT NOT NULL,
                    requested_amount_fen BIGINT NOT NULL,
                    destination BIGINT NOT NULL,
                    payment_id TEXT NOT NULL,
                    flagged BIGINT NOT NULL,
                    flag_reason TEXT NOT NULL,
                    locale TEXT NOT NULL,
                    reason_statement TEXT NOT NULL,
                    submitted_at_ms BIGINT NOT NULL,
                    outcome TEXT NOT NULL,
                    amount_fen BIGINT NOT NULL DEFAULT 0,
                    decided_payment_id TEXT NOT NULL DEFAULT '',
                    rule TEXT NOT NULL DEFAULT '',
                    reason_zh TEXT NOT NULL DEFAULT '',
                    reason_en TEXT NOT NULL DEFAULT '',
                    decided_by TEXT NOT NULL DEFAULT '',
                    decided_at_ms BIGINT NOT NULL DEFAULT 0,
                    manual_reason TEXT NOT NULL DEFAULT '',
                    awaiting TEXT,
                    created_at_ms BIGINT NOT NULL,
                    updated_at_ms BIGINT NOT NULL
                )
                """,
                "CREATE INDEX review_cases_by_order ON review_cases (order_id)",
                "CREATE INDEX review_cases_awaiting ON review_cases (awaiting) WHERE awaiting IS NOT NULL",
            ]
        ),
        PostgresMigration(
            "review.3.materials",
            [
                """
                CREATE TABLE case_materials (
                    refund_id TEXT NOT NULL REFERENCES review_cases (refund_id),
                    sha256_hex TEXT NOT NULL,
                    kind BIGINT NOT NULL,
                    file_name TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    size_bytes BIGINT NOT NULL,
                    event_id TEXT NOT NULL,
                    added_at_ms BIGINT NOT NULL,
                    seq BIGINT GENERATED ALWAYS AS IDENTITY,
                    PRIMARY KEY (refund_id, sha256_hex, kind)
                )
                """
            ]
        ),
        PostgresMigration(
            "review.4.reviewer-queue",
            [
                """
                ALTER TABLE review_cases
                    ADD COLUMN requester_device_id TEXT NOT NULL DEFAULT '',
                    ADD COLUMN requester_ip TEXT NOT NULL DEFAULT '',
                    ADD COLUMN user_history BYTEA,
                    ADD COLUMN risk BYTEA,
                    ADD COLUMN risk_score BIGINT NOT NULL DEFAULT 0,
                    ADD COLUMN green_channel TEXT NOT NULL DEFAULT '',
                    ADD COLUMN queue_rank BIGINT NOT NULL DEFAULT 3,
                    ADD COLUMN sla_kind TEXT,
                    ADD COLUMN sla_budget_ms BIGINT NOT NULL DEFAULT 0,
                    ADD COLUMN sla_consumed_ms BIGINT NOT NULL DEFAULT 0,
                    ADD COLUMN sla_running_since_ms BIGINT,
                    ADD COLUMN sla_due_at_ms BIGINT,
                    ADD COLUMN sla_stopped BIGINT NOT NULL DEFAULT 0,
                    ADD COLUMN sla_escalation BIGINT NOT NULL DEFAULT 0,
                    ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '',
                    ADD COLUMN claim_expires_at_ms BIGINT NOT NULL DEFAULT 0,
                    ADD COLUMN requested_materials TEXT NOT NULL DEFAULT '',
                    ADD COLUMN decision_note TEXT NOT NULL DEFAULT '',
                    ADD COLUMN negative_list_item BIGINT NOT NULL DEFAULT 0,
                    ADD COLUMN step_counter BIGINT NOT NULL DEFAULT 0
                """,
                "CREATE INDEX review_cases_queue ON review_cases (outcome, queue_rank, sla_due_at_ms)",
                "CREATE INDEX review_cases_sla ON review_cases (sla_due_at_ms) WHERE sla_due_at_ms IS NOT NULL",
                "CREATE INDEX review_cases_by_user ON review_cases (user_id, submitted_at_ms)",
            ]
        ),
        PostgresMigration(
            "review.5.evidence",
            [
                """
                CREATE TABLE evidence_log (
                    sequence BIGINT PRIMARY KEY NOT NULL,
                    refund_id TEXT NOT NULL,
                    order_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    entry BYTEA NOT NULL,
                    hash BYTEA NOT NULL
                )
                """,
                "CREATE INDEX evidence_log_by_refund ON evidence_log (refund_id, sequence)",
                "CREATE INDEX evidence_log_by_order ON evidence_log (order_id, sequence)",
            ]
        ),
        PostgresMigration(
            "review.6.evidence-checkpoints",
            [
                """
                CREATE TABLE evidence_checkpoints (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    size BIGINT NOT NULL,
                    head_hash BYTEA NOT NULL,
                    merkle_root BYTEA NOT NULL,
                    at_ms BIGINT NOT NULL,
                    algorithm TEXT NOT NULL,
                    public_key BYTEA NOT NULL,
                    signature BYTEA NOT NULL,
                    frontier BYTEA NOT NULL
                )
                """
            ]
        ),
    ]
}
