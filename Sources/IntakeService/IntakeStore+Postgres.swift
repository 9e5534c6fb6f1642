import RefundMeshPostgres

extension IntakeStore {
    /// ``migrations`` in PostgreSQL's dialect, under the same names and in the same order
    /// (docs/SCALING.md). Never edit one that has shipped: add the next one to both lists.
    /// INTEGER is BIGINT and BLOB is BYTEA. `intake.2` backfills nothing here: a database that
    /// starts on PostgreSQL has no orders before it.
    public static let postgresMigrations: [PostgresMigration] = [
        PostgresMigration(
            "intake.1.orders-refunds-timeline",
            [
                """
                CREATE TABLE orders (
                    order_id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL,
                    order_bytes BYTEA NOT NULL,
                    recorded_at_ms BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE refunds (
                    refund_id TEXT PRIMARY KEY NOT NULL,
                    order_id TEXT NOT NULL REFERENCES orders (order_id),
                    user_id TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    request_digest TEXT NOT NULL,
                    state BIGINT NOT NULL,
                    ground BIGINT NOT NULL,
                    source BIGINT NOT NULL,
                    destination BIGINT NOT NULL,
                    payment_id TEXT NOT NULL,
                    requested_amount_fen BIGINT NOT NULL,
                    decided_amount_fen BIGINT NOT NULL DEFAULT 0,
                    fee_fen BIGINT NOT NULL DEFAULT 0,
                    expected_arrival_ms BIGINT NOT NULL DEFAULT 0,
                    requested_materials TEXT NOT NULL DEFAULT '',
                    flagged BIGINT NOT NULL DEFAULT 0,
                    flag_reason TEXT NOT NULL DEFAULT '',
                    locale TEXT NOT NULL,
                    created_at_ms BIGINT NOT NULL,
                    updated_at_ms BIGINT NOT NULL,
                    UNIQUE (user_id, idempotency_key)
                )
                """,
                "CREATE INDEX refunds_by_user ON refunds (user_id, created_at_ms DESC)",
                "CREATE INDEX refunds_by_order ON refunds (order_id)",
                """
                CREATE TABLE timeline (
                    refund_id TEXT NOT NULL REFERENCES refunds (refund_id),
                    sequence BIGINT NOT NULL,
                    at_ms BIGINT NOT NULL,
                    state BIGINT NOT NULL,
                    rule TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    amount_fen BIGINT NOT NULL,
                    PRIMARY KEY (refund_id, sequence)
                )
                """,
                """
                CREATE TABLE withdrawals (
                    refund_id TEXT PRIMARY KEY NOT NULL,
                    order_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    at_ms BIGINT NOT NULL
                )
                """,
                "CREATE INDEX withdrawals_by_user ON withdrawals (user_id, at_ms)",
                "CREATE INDEX withdrawals_by_order ON withdrawals (order_id)",
                """
                CREATE TABLE attachments (
                    sha256_hex TEXT PRIMARY KEY NOT NULL,
                    content BYTEA NOT NULL,
                    size_bytes BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE refund_attachments (
                    refund_id TEXT NOT NULL REFERENCES refunds (refund_id),
                    sha256_hex TEXT NOT NULL REFERENCES attachments (sha256_hex),
                    kind BIGINT NOT NULL,
                    file_name TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    added_at_ms BIGINT NOT NULL,
                    PRIMARY KEY (refund_id, sha256_hex, kind)
                )
                """,
            ]
        ),
        PostgresMigration(
            "intake.2.order-history",
            [
                """
                ALTER TABLE orders
                    ADD COLUMN price_fen BIGINT NOT NULL DEFAULT 0,
                    ADD COLUMN paid_at_ms BIGINT NOT NULL DEFAULT 0
                """,
                "CREATE INDEX orders_by_user ON orders (user_id, paid_at_ms)",
            ]
        ),
    ]
}
