import RefundMeshPostgres

extension InboxStore {
    /// ``migrations`` in PostgreSQL's dialect, under the same names and in the same order
    /// (docs/SCALING.md). Never edit one that has shipped: add the next one to both lists.
    /// INTEGER is BIGINT.
    public static let postgresMigrations: [PostgresMigration] = [
        PostgresMigration(
            "notification.1.inbox",
            [
                """
                CREATE TABLE inbox_items (
                    item_id TEXT PRIMARY KEY NOT NULL,
                    event_id TEXT NOT NULL UNIQUE,
                    user_id TEXT NOT NULL,
                    refund_id TEXT NOT NULL,
                    kind BIGINT NOT NULL,
                    title TEXT NOT NULL,
                    body TEXT NOT NULL,
                    locale TEXT NOT NULL,
                    created_at_ms BIGINT NOT NULL,
                    read_at_ms BIGINT
                )
                """,
                "CREATE INDEX inbox_items_by_user ON inbox_items (user_id, created_at_ms DESC, item_id)",
            ]
        ),
        PostgresMigration(
            "notification.2.preferences",
            [
                """
                CREATE TABLE channel_preferences (
                    user_id TEXT PRIMARY KEY NOT NULL,
                    sms_enabled BIGINT NOT NULL,
                    email_enabled BIGINT NOT NULL,
                    webhook_enabled BIGINT NOT NULL,
                    phone TEXT NOT NULL,
                    email TEXT NOT NULL,
                    webhook_url TEXT NOT NULL,
                    webhook_secret TEXT NOT NULL,
                    locale TEXT NOT NULL,
                    updated_at_ms BIGINT NOT NULL
                )
                """
            ]
        ),
        PostgresMigration(
            "notification.3.deliveries",
            [
                """
                CREATE TABLE deliveries (
                    delivery_id TEXT PRIMARY KEY NOT NULL,
                    event_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    refund_id TEXT NOT NULL,
                    kind BIGINT NOT NULL,
                    channel BIGINT NOT NULL,
                    destination TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    locale TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    text TEXT NOT NULL,
                    json TEXT NOT NULL,
                    state BIGINT NOT NULL,
                    attempts BIGINT NOT NULL DEFAULT 0,
                    round_attempts BIGINT NOT NULL DEFAULT 0,
                    next_attempt_at_ms BIGINT NOT NULL,
                    created_at_ms BIGINT NOT NULL,
                    delivered_at_ms BIGINT,
                    dead_at_ms BIGINT,
                    last_error TEXT NOT NULL DEFAULT '',
                    retried_by TEXT NOT NULL DEFAULT '',
                    retried_at_ms BIGINT
                )
                """,
                "CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at_ms)",
                "CREATE INDEX deliveries_by_user ON deliveries (user_id, created_at_ms DESC)",
                "CREATE INDEX deliveries_by_event ON deliveries (event_id)",
                "CREATE INDEX deliveries_dead ON deliveries (state, dead_at_ms DESC)",
                """
                CREATE TABLE delivery_attempts (
                    delivery_id TEXT NOT NULL REFERENCES deliveries (delivery_id),
                    attempt BIGINT NOT NULL,
                    at_ms BIGINT NOT NULL,
                    outcome BIGINT NOT NULL,
                    status_code BIGINT NOT NULL,
                    reply TEXT NOT NULL,
                    error TEXT NOT NULL,
                    PRIMARY KEY (delivery_id, attempt)
                )
                """,
            ]
        ),
    ]
}
