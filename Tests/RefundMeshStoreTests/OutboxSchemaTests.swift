import Foundation
import GRDB
import RefundMeshStore
import Testing

@Suite("Outbox schema: files written by earlier builds")
struct OutboxSchemaTests {
    /// The outbox as builds up to `refundmesh.store.v3.outbox-ordering-key` left it: the shipped
    /// migrations' SQL, recorded under their names as GRDB's migrator records them.
    static func makeVersion3File(at path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        let queue = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("refundmesh.store.v1.outbox-messages") { db in
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
                    CREATE INDEX outbox_messages_pending
                        ON outbox_messages (destination, id) WHERE delivered_at IS NULL;
                    CREATE INDEX outbox_messages_delivered
                        ON outbox_messages (delivered_at) WHERE delivered_at IS NOT NULL;
                    """
            )
        }
        migrator.registerMigration("refundmesh.store.v1.processed-events") { db in
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
        }
        migrator.registerMigration("refundmesh.store.v2.outbox-trace-id") { db in
            try db.execute(sql: "ALTER TABLE outbox_messages ADD COLUMN trace_id TEXT")
        }
        migrator.registerMigration("refundmesh.store.v3.outbox-ordering-key") { db in
            try db.execute(
                sql: """
                    ALTER TABLE outbox_messages ADD COLUMN ordering_key TEXT;
                    CREATE INDEX outbox_messages_failing
                        ON outbox_messages (destination, ordering_key, id) WHERE delivered_at IS NULL AND attempts > 0;
                    """
            )
        }
        try migrator.migrate(queue)
        try queue.write { db in
            // A delivered message, a failing one waiting for its retry, a pending one; ids with
            // a gap, as pruning leaves them.
            try db.execute(
                sql: """
                    INSERT INTO outbox_messages
                        (id, event_id, destination, kind, payload, created_at, attempts, next_attempt_at,
                         last_error, delivered_at, trace_id, ordering_key)
                    VALUES
                        (3, 'r-1:opened', 'review', 'OpenCase', X'0102', 1000, 1, 1000, NULL, 1500,
                         '0123456789abcdef0123456789abcdef', 'r-1'),
                        (7, 'r-2:opened', 'review', 'OpenCase', X'03', 2000, 2, 9000, 'review unavailable', NULL,
                         NULL, 'r-2'),
                        (8, 'r-2:published', 'notification', 'Publish', X'', 2100, 0, 2100, NULL, NULL, NULL, NULL)
                    """
            )
        }
        try queue.close()
    }

    @Test("v4 rebuilds the outbox without AUTOINCREMENT and keeps every message, id and column")
    func version3FileMigrates() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("data/service.sqlite").path
            try Self.makeVersion3File(at: path)
            let store = try openStore(in: directory)
            #expect(try await store.appliedMigrations().contains("refundmesh.store.v4.outbox-plain-rowid"))

            let (schema, indexes) = try await store.read { db in
                (
                    try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'outbox_messages'"),
                    try String.fetchAll(
                        db,
                        sql: """
                            SELECT name FROM sqlite_master
                            WHERE type = 'index' AND tbl_name = 'outbox_messages' AND sql IS NOT NULL ORDER BY name
                            """
                    )
                )
            }
            #expect(schema?.contains("AUTOINCREMENT") == false)
            #expect(indexes == ["outbox_messages_delivered", "outbox_messages_failing", "outbox_messages_pending"])

            let messages = try await store.read { db in
                try OutboxMessage.fetchAll(db, sql: "SELECT * FROM outbox_messages ORDER BY id")
            }
            #expect(messages.map(\.id) == [3, 7, 8])
            let delivered = messages[0]
            #expect(delivered.eventID == "r-1:opened" && delivered.payload == [1, 2])
            #expect(delivered.deliveredAt == Date(timeIntervalSince1970: 1.5))
            #expect(delivered.traceID == "0123456789abcdef0123456789abcdef" && delivered.orderingKey == "r-1")
            let failing = messages[1]
            #expect(failing.attempts == 2 && failing.lastError == "review unavailable")
            #expect(failing.nextAttemptAt == Date(timeIntervalSince1970: 9) && failing.deliveredAt == nil)
            #expect(messages[2].payload == [] && messages[2].orderingKey == nil)

            // Still idempotent on the event id, and a new message sorts after every stored one.
            let again = try await store.write { db in
                try Outbox.enqueue(
                    db,
                    eventID: "r-2:published",
                    destination: "notification",
                    kind: "Publish",
                    payload: []
                )
            }
            #expect(again == false)
            try await enqueue(store, "r-3:opened", destination: "review")
            let pending = try await store.read { db in try Outbox.pending(db, destination: "review") }
            #expect(pending.map(\.eventID) == ["r-2:opened", "r-3:opened"])
            #expect(pending.last!.id > 8)
            try store.close()
        }
    }

    @Test("after the newest delivered message is pruned, new messages still sort after every pending one")
    func idsStayAboveStoredMessagesAfterPruning() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            for eventID in ["a", "b", "c"] { try await enqueue(store, eventID) }
            let ids = try await store.read { db in try Outbox.pending(db).map(\.id) }
            // Deliver and prune the newest one (c): the rowid it had may be given again, but
            // never below "b", which still waits.
            try await store.write { db in
                try db.execute(sql: "UPDATE outbox_messages SET delivered_at = 1 WHERE id = ?", arguments: [ids[2]])
                try Outbox.pruneDelivered(db, deliveredBefore: Date(timeIntervalSince1970: 10))
            }
            try await enqueue(store, "d")
            let pending = try await store.read { db in try Outbox.pending(db) }
            #expect(pending.map(\.eventID) == ["a", "b", "d"])
            #expect(pending[2].id > pending[1].id)
            try store.close()
        }
    }
}
