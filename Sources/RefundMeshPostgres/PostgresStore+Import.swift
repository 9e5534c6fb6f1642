import Foundation
import GRDB
import PostgresNIO
import RefundMeshStore

extension PostgresStore {
    /// What ``importBuiltInTables(from:batchSize:)`` copied.
    public struct ImportCounts: Sendable, Hashable {
        /// Outbox messages, pending and delivered.
        public var outboxMessages = 0
        /// Processed events (idempotent receipts), with their stored results.
        public var processedEvents = 0
    }

    /// Copies the store's own tables, the outbox and the processed events, from a SQLite store
    /// into this (migrated, empty) database, in one transaction: the first step of moving a
    /// service from SQLite to PostgreSQL (docs/SCALING.md).
    ///
    /// Every row keeps its values: message ids (so delivery order holds), attempts, retry times
    /// and last errors, delivered marks, trace ids and ordering keys; receipts keep their stored
    /// results, so a sender retrying after the move is still answered as a replay. Afterwards the
    /// id sequence is set past the largest imported id, so new messages sort after them.
    /// - Throws: ``PostgresStoreError`` with ``PostgresStoreError/Code/migrationFailed`` if either
    ///   store is not at the same schema version, or the target already has rows (nothing is
    ///   copied then).
    @discardableResult
    public func importBuiltInTables(from sqlite: Store, batchSize: Int = 500) async throws -> ImportCounts {
        let applied = try await appliedMigrations()
        let missing = PostgresSchema.migrations.map(\.name).filter { !applied.contains($0) }
        guard missing.isEmpty else {
            throw PostgresStoreError(
                code: .migrationFailed,
                message: "the PostgreSQL database is not migrated (missing \(missing.joined(separator: ", "))); "
                    + "run migrate() first"
            )
        }
        let sqliteApplied = Set(try await sqlite.appliedMigrations())
        let behind = Store.builtInMigrationNames.filter { !sqliteApplied.contains($0) }
        guard behind.isEmpty else {
            throw PostgresStoreError(
                code: .migrationFailed,
                message: "the SQLite store is behind this build (missing \(behind.joined(separator: ", "))); "
                    + "open it once with this build to migrate it"
            )
        }
        let logger = self.logger
        let size = max(1, batchSize)
        return try await transaction { connection in
            let existing =
                try await connection.query(
                    "SELECT (SELECT COUNT(*) FROM outbox_messages) + (SELECT COUNT(*) FROM processed_events)",
                    logger: logger
                ).collect().first?.decode(Int64.self) ?? 0
            guard existing == 0 else {
                throw PostgresStoreError(
                    code: .migrationFailed,
                    message: "the PostgreSQL database already has \(existing) outbox messages or processed events; "
                        + "import into a fresh database"
                )
            }
            var counts = ImportCounts()
            var after: Int64 = 0
            while true {
                let from = after
                let page = try await sqlite.read { db in
                    try Row.fetchAll(
                        db,
                        sql: """
                            SELECT id, event_id, destination, kind, payload, created_at, attempts, next_attempt_at,
                                last_error, delivered_at, trace_id, ordering_key
                            FROM outbox_messages WHERE id > ? ORDER BY id LIMIT ?
                            """,
                        arguments: [from, size]
                    ).map { row in OutboxRow(row) }
                }
                guard let last = page.last else { break }
                for message in page {
                    try await connection.query(
                        """
                        INSERT INTO outbox_messages
                            (id, event_id, destination, kind, payload, created_at, attempts, next_attempt_at, last_error,
                             delivered_at, trace_id, ordering_key)
                        VALUES (\(message.id), \(message.eventID), \(message.destination), \(message.kind),
                            \(message.payload), \(message.createdAt), \(message.attempts), \(message.nextAttemptAt),
                            \(message.lastError), \(message.deliveredAt), \(message.traceID), \(message.orderingKey))
                        """,
                        logger: logger
                    )
                }
                counts.outboxMessages += page.count
                after = last.id
            }
            try await connection.query(
                """
                SELECT setval(pg_get_serial_sequence('outbox_messages', 'id'),
                    GREATEST((SELECT MAX(id) FROM outbox_messages), 1), (SELECT COUNT(*) > 0 FROM outbox_messages))
                """,
                logger: logger
            )
            var afterEvent = ""
            while true {
                let fromEvent = afterEvent
                let page = try await sqlite.read { db in
                    try Row.fetchAll(
                        db,
                        sql: """
                            SELECT event_id, processed_at, result FROM processed_events
                            WHERE event_id > ? ORDER BY event_id LIMIT ?
                            """,
                        arguments: [fromEvent, size]
                    ).map { row -> (String, Int64, Data?) in (row["event_id"], row["processed_at"], row["result"]) }
                }
                guard let last = page.last else { break }
                for (eventID, processedAt, result) in page {
                    try await connection.query(
                        """
                        INSERT INTO processed_events (event_id, processed_at, result)
                        VALUES (\(eventID), \(processedAt), \(result))
                        """,
                        logger: logger
                    )
                }
                counts.processedEvents += page.count
                afterEvent = last.0
            }
            return counts
        }
    }
}

/// One `outbox_messages` row as SQLite stores it, column for column.
private struct OutboxRow: Sendable {
    var id: Int64
    var eventID: String
    var destination: String
    var kind: String
    var payload: Data
    var createdAt: Int64
    var attempts: Int64
    var nextAttemptAt: Int64
    var lastError: String?
    var deliveredAt: Int64?
    var traceID: String?
    var orderingKey: String?

    init(_ row: Row) {
        id = row["id"]
        eventID = row["event_id"]
        destination = row["destination"]
        kind = row["kind"]
        payload = row["payload"] ?? Data()
        createdAt = row["created_at"]
        attempts = row["attempts"]
        nextAttemptAt = row["next_attempt_at"]
        lastError = row["last_error"]
        deliveredAt = row["delivered_at"]
        traceID = row["trace_id"]
        orderingKey = row["ordering_key"]
    }
}
