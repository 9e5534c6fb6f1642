import GRDB

/// The store's own tables, registered before the service's migrations.
///
/// Instants are INTEGER milliseconds since 1970 (UTC): they sort, compare and survive restarts,
/// unlike a monotonic clock.
enum StoreSchema {
    static let migrations: [StoreMigration] = [
        StoreMigration("\(Store.reservedMigrationPrefix)v1.outbox-messages") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outbox_messages (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id TEXT NOT NULL UNIQUE CHECK (event_id <> ''),
                        destination TEXT NOT NULL CHECK (destination <> ''),
                        kind TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at INTEGER NOT NULL,
                        last_error TEXT,
                        delivered_at INTEGER
                    );
                    -- The relay's hot query: the oldest undelivered message per destination.
                    CREATE INDEX outbox_messages_pending
                        ON outbox_messages (destination, id) WHERE delivered_at IS NULL;
                    -- Pruning delivered rows past their retention.
                    CREATE INDEX outbox_messages_delivered
                        ON outbox_messages (delivered_at) WHERE delivered_at IS NOT NULL;
                    """
            )
        },
        StoreMigration("\(Store.reservedMigrationPrefix)v1.processed-events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE processed_events (
                        event_id TEXT PRIMARY KEY NOT NULL CHECK (event_id <> ''),
                        processed_at INTEGER NOT NULL,
                        result BLOB
                    ) WITHOUT ROWID;
                    CREATE INDEX processed_events_processed_at ON processed_events (processed_at);
                    """
            )
        },
        // The trace the enqueuing work ran under (``TraceID``), sent again on delivery so one id
        // follows a refund through every service's logs. NULL for rows enqueued outside a trace.
        StoreMigration("\(Store.reservedMigrationPrefix)v2.outbox-trace-id") { db in
            try db.execute(sql: "ALTER TABLE outbox_messages ADD COLUMN trace_id TEXT")
        },
        // Messages with the same ordering key (a refund's id) are delivered in order, one at a
        // time; different keys are delivered side by side. NULL: in order with every other
        // NULL-key message of the destination, as before this column.
        StoreMigration("\(Store.reservedMigrationPrefix)v3.outbox-ordering-key") { db in
            try db.execute(
                sql: """
                    ALTER TABLE outbox_messages ADD COLUMN ordering_key TEXT;
                    -- Messages that failed and wait for a retry, by key: "does an earlier message
                    -- of this key wait?" and "when is the next retry due?". Only failing rows are
                    -- in it, so enqueueing a message costs no extra index insert.
                    CREATE INDEX outbox_messages_failing
                        ON outbox_messages (destination, ordering_key, id) WHERE delivered_at IS NULL AND attempts > 0;
                    """
            )
        },
        // AUTOINCREMENT made every enqueue also update the table's row in sqlite_sequence: about
        // a tenth of an enqueue's time, and nothing relies on what it guarantees (that the id of
        // a pruned message is never given again). A plain INTEGER PRIMARY KEY still gives each
        // message an id above every stored one, which is all the relay's ordering needs.
        // SQLite cannot drop AUTOINCREMENT in place, so the table is rebuilt, ids kept.
        StoreMigration("\(Store.reservedMigrationPrefix)v4.outbox-plain-rowid") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outbox_messages_v4 (
                        id INTEGER PRIMARY KEY,
                        event_id TEXT NOT NULL UNIQUE CHECK (event_id <> ''),
                        destination TEXT NOT NULL CHECK (destination <> ''),
                        kind TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at INTEGER NOT NULL,
                        last_error TEXT,
                        delivered_at INTEGER,
                        trace_id TEXT,
                        ordering_key TEXT
                    );
                    INSERT INTO outbox_messages_v4
                        (id, event_id, destination, kind, payload, created_at, attempts, next_attempt_at,
                         last_error, delivered_at, trace_id, ordering_key)
                    SELECT id, event_id, destination, kind, payload, created_at, attempts, next_attempt_at,
                        last_error, delivered_at, trace_id, ordering_key
                    FROM outbox_messages;
                    DROP TABLE outbox_messages;
                    ALTER TABLE outbox_messages_v4 RENAME TO outbox_messages;
                    CREATE INDEX outbox_messages_pending
                        ON outbox_messages (destination, id) WHERE delivered_at IS NULL;
                    CREATE INDEX outbox_messages_delivered
                        ON outbox_messages (delivered_at) WHERE delivered_at IS NOT NULL;
                    CREATE INDEX outbox_messages_failing
                        ON outbox_messages (destination, ordering_key, id) WHERE delivered_at IS NULL AND attempts > 0;
                    """
            )
        },
    ]
}
