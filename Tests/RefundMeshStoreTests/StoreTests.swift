import Foundation
import GRDB
import RefundMeshStore
import Testing

@Suite("Store: opening, pragmas, migrations, errors")
struct StoreTests {
    @Test("migrations run once per file, in order, and a migration added later runs on reopen")
    func migrationsAreVersioned() async throws {
        try await withTemporaryDirectory { directory in
            let runs = Tally()
            let v1 = StoreMigration("test.v1.refunds") { db in
                runs.increment("v1")
                try db.execute(sql: "CREATE TABLE refunds (id TEXT PRIMARY KEY, amount INTEGER NOT NULL)")
            }
            let v2 = StoreMigration("test.v2.refund-state") { db in
                runs.increment("v2")
                try db.execute(sql: "ALTER TABLE refunds ADD COLUMN state TEXT NOT NULL DEFAULT 'submitted'")
            }

            let first = try openStore(in: directory, migrations: [v1])
            #expect(
                try await first.appliedMigrations() == [
                    "refundmesh.store.v1.outbox-messages", "refundmesh.store.v1.processed-events",
                    "refundmesh.store.v2.outbox-trace-id", "refundmesh.store.v3.outbox-ordering-key",
                    "refundmesh.store.v4.outbox-plain-rowid", "test.v1.refunds",
                ]
            )
            try await first.write { db in try db.execute(sql: "INSERT INTO refunds (id, amount) VALUES ('r1', 500)") }
            try first.close()

            let second = try openStore(in: directory, migrations: [v1])
            #expect(runs["v1"] == 1)
            try second.close()

            let third = try openStore(in: directory, migrations: [v1, v2])
            #expect(runs["v1"] == 1)
            #expect(runs["v2"] == 1)
            #expect(try await third.appliedMigrations().last == "test.v2.refund-state")
            let state = try await third.read { db in
                try String.fetchOne(db, sql: "SELECT state FROM refunds WHERE id = 'r1'")
            }
            #expect(state == "submitted")
            try third.close()
        }
    }

    @Test("a file migrated by a newer build is refused instead of run against an older schema")
    func supersededDatabaseIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let v1 = StoreMigration("test.v1") { db in try db.execute(sql: "CREATE TABLE t (id INTEGER)") }
            try openStore(in: directory, migrations: [v1]).close()
            let error = try #require(throws: StoreError.self) { try openStore(in: directory, migrations: []) }
            #expect(error.code == .migrationFailed)
        }
    }

    @Test("migration names with the store's reserved prefix, or registered twice, are refused")
    func invalidMigrationsAreRefused() async throws {
        try await withTemporaryDirectory { directory in
            let reserved = StoreMigration("refundmesh.store.mine") { _ in }
            let reservedError = try #require(throws: StoreError.self) {
                try openStore(in: directory, migrations: [reserved])
            }
            #expect(reservedError.code == .invalidMigration)

            let twice = StoreMigration("test.v1") { _ in }
            let duplicateError = try #require(throws: StoreError.self) {
                try openStore(in: directory, migrations: [twice, twice])
            }
            #expect(duplicateError.code == .invalidMigration)
        }
    }

    @Test("the file is in WAL mode with synchronous=FULL, foreign keys on and an 8 MiB page cache by default")
    func walAndFullSyncByDefault() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            let journalMode = try await store.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(journalMode == "wal")
            // synchronous is per connection; the writer's is the one that decides durability.
            let (synchronous, foreignKeys) = try await store.write { db in
                (
                    try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                    try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
                )
            }
            #expect(synchronous == 2)  // FULL
            #expect(foreignKeys == 1)
            // Every connection, the readers too.
            let writerCache = try await store.write { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") }
            let readerCache = try await store.read { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") }
            #expect(writerCache == -8192 && readerCache == -8192)
            let checkpointPages = try await store.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
            #expect(checkpointPages == 10_000)
            #expect(FileManager.default.fileExists(atPath: store.configuration.path + "-wal"))
            // SQLite counts its allocations (refundmesh_sqlite_memory_bytes): an open store with
            // connections and prepared statements holds some.
            #expect(Store.sqliteMemoryInUse > 0)
            try store.close()
        }
    }

    @Test("the log is copied into the file once it holds the configured number of pages, and reused from its start")
    func walIsCheckpointedAtItsLimit() async throws {
        try await withTemporaryDirectory { directory in
            let blobs = StoreMigration("test.v1.blobs") { db in
                try db.execute(sql: "CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            }
            func walBytes(limit: Int) async throws -> Int {
                let path = directory.appendingPathComponent("wal-\(limit).sqlite").path
                let store = try Store(
                    configuration: Store.Configuration(path: path, walAutocheckpointPages: limit),
                    migrations: [blobs],
                    logger: testLogger
                )
                defer { try? store.close() }
                // 200 commits of one row of about a page each: 200+ log pages in all.
                for id in 0..<200 {
                    try await store.write { db in
                        try db.run(
                            "INSERT INTO blobs (id, body) VALUES (?, ?)",
                            [id, [UInt8](repeating: 7, count: 3000)]
                        )
                    }
                }
                let count = try await store.read { db in try db.value(Int.self, "SELECT COUNT(*) FROM blobs") }
                #expect(count == 200)
                let attributes = try FileManager.default.attributesOfItem(atPath: path + "-wal")
                return (attributes[.size] as? Int) ?? 0
            }
            // A frame is a 4 KiB page and its 24-byte header.
            let frame = 4096 + 24
            // With a limit of 20 pages the log is checkpointed and started over again and again.
            let checkpointed = try await walBytes(limit: 20)
            #expect(checkpointed < 40 * frame)
            // With the default limit all 200 commits are still in the log.
            let kept = try await walBytes(limit: 10_000)
            #expect(kept > 200 * frame)
        }
    }

    @Test("synchronous=NORMAL can be chosen for stores that move no money")
    func normalSyncIsConfigurable() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory, synchronous: .normal)
            let synchronous = try await store.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(synchronous == 1)  // NORMAL
            try store.close()
        }
    }

    @Test("a read runs on the calling thread and sees the last commit, not the write under way")
    func readsRunOnTheCallersThread() async throws {
        try await withTemporaryDirectory { directory in
            let store = try await openStoreWithOneRefund(in: directory)
            // A write that holds the writer connection, mid-transaction, until released.
            let entered = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let writing = Task {
                try await store.write { db in
                    try db.execute(sql: "INSERT INTO refunds VALUES ('r2')")
                    entered.signal()
                    _ = release.wait(timeout: .now() + 30)
                }
            }
            try #require(entered.wait(timeout: .now() + 30) == .success)
            let caller = pthread_self()
            let (thread, during) = try await store.read { db in
                (pthread_self(), try String.fetchAll(db, sql: "SELECT id FROM refunds ORDER BY id"))
            }
            release.signal()
            try await writing.value
            // No hop to a reader's queue and back: the read ran where it was called.
            #expect(pthread_equal(caller, thread) != 0)
            #expect(during == ["r1"])
            let after = try await store.read { db in try String.fetchAll(db, sql: "SELECT id FROM refunds ORDER BY id")
            }
            #expect(after == ["r1", "r2"])
            try store.close()
        }
    }

    @Test("a constraint violation is a StoreError with code conflict, and the transaction rolls back")
    func constraintViolationIsConflict() async throws {
        try await withTemporaryDirectory { directory in
            let store = try await openStoreWithOneRefund(in: directory)
            let error = await #expect(throws: StoreError.self) {
                try await store.write { db in
                    try db.execute(sql: "INSERT INTO refunds VALUES ('r2')")
                    try db.execute(sql: "INSERT INTO refunds VALUES ('r1')")
                }
            }
            #expect(error?.code == .conflict)
            let count = try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM refunds") }
            #expect(count == 1)
            try store.close()
        }
    }

    /// A store with a table `refunds (id TEXT PRIMARY KEY)` holding the row 'r1'.
    private func openStoreWithOneRefund(in directory: URL) async throws -> Store {
        let v1 = StoreMigration("test.v1") { db in try db.execute(sql: "CREATE TABLE refunds (id TEXT PRIMARY KEY)") }
        let store = try openStore(in: directory, migrations: [v1])
        try await store.write { db in try db.execute(sql: "INSERT INTO refunds VALUES ('r1')") }
        return store
    }
}
