import Foundation
import GRDB
import Logging
import PostgresNIO
import RefundMeshStore
import Testing

@testable import RefundMeshPostgres

@Suite(
    "PostgresStore: importing a SQLite store's outbox and receipts",
    .enabled(if: TestDatabase.available, TestDatabase.why)
)
struct PostgresStoreImportTests {
    let logger = TestDatabase.logger

    /// A SQLite store with messages in every state and receipts with results.
    func sqliteStore(in folder: URL) async throws -> Store {
        let store = try Store(
            configuration: Store.Configuration(path: folder.appendingPathComponent("intake.sqlite").path),
            logger: logger
        )
        let now = Date()
        try await store.write { db in
            for (index, key) in ["rf-1", "rf-2", "rf-2", "rf-3"].enumerated() {
                try Outbox.enqueue(
                    db,
                    eventID: "ev-\(index)",
                    destination: "review",
                    kind: "OpenCase",
                    payload: [UInt8(index)],
                    orderingKey: key,
                    now: now,
                    traceID: "0af7651916cd43dd8448eb211c80319c"
                )
            }
            try Outbox.enqueue(
                db,
                eventID: "ev-nokey",
                destination: "notification",
                kind: "Publish",
                payload: [9],
                now: now
            )
            // ev-0 delivered, ev-1 failed twice and waits a minute (ev-2 of its key waits behind it),
            // the rest pending.
            try db.execute(sql: "UPDATE outbox_messages SET delivered_at = ? WHERE event_id = 'ev-0'", arguments: [0])
            try db.execute(
                sql: """
                    UPDATE outbox_messages SET attempts = 2, last_error = 'review unavailable', next_attempt_at = ?
                    WHERE event_id = 'ev-1'
                    """,
                arguments: [Int64(now.timeIntervalSince1970 * 1000) + 60_000]
            )
            _ = try ProcessedEvents.claim(db, eventID: "rf-1:paid", request: [1, 2, 3], now: now)
            _ = try ProcessedEvents.claim(db, eventID: "rf-2:paid", now: now)
        }
        return store
    }

    /// A message as stored, column for column (instants in whole milliseconds, as both store them).
    static func columns(_ message: OutboxMessage) -> String {
        func ms(_ date: Date?) -> String {
            date.map { String(Int64(($0.timeIntervalSince1970 * 1000).rounded())) } ?? "nil"
        }
        return [
            "\(message.id)", message.eventID, message.destination, message.kind, "\(message.payload)",
            ms(message.createdAt), "\(message.attempts)", ms(message.nextAttemptAt), message.lastError ?? "nil",
            ms(message.deliveredAt), message.traceID ?? "nil", message.orderingKey ?? "nil",
        ].joined(separator: "|")
    }

    /// Runs `body` with ``sqliteStore(in:)`` in a temporary folder, removed after.
    func withSQLiteStore(_ body: (Store) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlite = try await sqliteStore(in: folder)
        defer { try? sqlite.close() }
        try await body(sqlite)
    }

    @Test func movesEveryRowAndTheRelayGoesOnWhereItStopped() async throws {
        try await withSQLiteStore { sqlite in
            let before = try await sqlite.read { db in try Outbox.pending(db, limit: 100) }
            try await TestDatabase.withStore { store in
                let counts = try await store.importBuiltInTables(from: sqlite, batchSize: 2)
                #expect(counts == .init(outboxMessages: 5, processedEvents: 2))
                let after = try await store.withConnection { try await PostgresOutbox.pending($0, logger: logger) }
                #expect(after.map(Self.columns) == before.sorted { $0.id < $1.id }.map(Self.columns))
                #expect(after.count == 4)
                let delivered = try await store.withConnection {
                    try await PostgresOutbox.message($0, eventID: "ev-0", logger: logger)
                }
                #expect(delivered?.deliveredAt != nil)
                // Receipts keep their stored request: the same request again is a replay, another a conflict.
                let (same, other) = try await store.write { db in
                    (
                        try ProcessedEvents.claim(db, eventID: "rf-1:paid", request: [1, 2, 3]),
                        try ProcessedEvents.claim(db, eventID: "rf-1:paid", request: [4])
                    )
                }
                #expect(same == .replay)
                #expect(other == .conflict(stored: [1, 2, 3]))
                // The failing message still holds back its key; the others are claimable in order.
                let claimed = try await store.transaction { connection in
                    try await PostgresOutbox.claim(
                        connection,
                        destinations: nil,
                        replica: "r",
                        lease: .seconds(30),
                        limit: 10,
                        logger: logger
                    )
                }
                #expect(claimed.map(\.eventID) == ["ev-3", "ev-nokey"])
                // New messages sort after the imported ones.
                let newID = try await store.transaction { connection in
                    _ = try await PostgresOutbox.enqueue(
                        connection,
                        eventID: "ev-new",
                        destination: "review",
                        kind: "OpenCase",
                        payload: [],
                        logger: logger
                    )
                    return try await PostgresOutbox.message(connection, eventID: "ev-new", logger: logger)?.id
                }
                #expect(try #require(newID) > before.map(\.id).max()!)
                // A second import into the same database is refused and changes nothing.
                await #expect {
                    try await store.importBuiltInTables(from: sqlite)
                } throws: { error in
                    (error as? PostgresStoreError)?.code == .migrationFailed
                        && (error as? PostgresStoreError)?.message.contains("fresh database") == true
                }
            }
        }
    }

    @Test func refusesADatabaseNotMigrated() async throws {
        try await withSQLiteStore { sqlite in
            try await TestDatabase.withDatabase { configuration in
                let store = PostgresStore(configuration: configuration, logger: logger)
                try await TestDatabase.running([store]) {
                    let applied = try await store.appliedMigrations()
                    #expect(applied.isEmpty)
                    await #expect {
                        try await store.importBuiltInTables(from: sqlite)
                    } throws: { error in
                        (error as? PostgresStoreError)?.message.contains("run migrate() first") == true
                    }
                }
            }
        }
    }
}
