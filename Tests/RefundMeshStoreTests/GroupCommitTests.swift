import Dispatch
import Foundation
import GRDB
import Testing

@testable import RefundMeshStore

@Suite("Store: group commit")
struct GroupCommitTests {
    static let table = StoreMigration("test.v1.items") { db in
        try db.execute(sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
    }

    struct Refused: Error, Equatable {}

    /// Holds the store's writer in a write of its own until `release()`, so that the writes made
    /// meanwhile queue up and form the next group.
    final class WriterGate: Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        let blocker: Task<Void, any Error>

        /// Returns once the gate's write is running.
        init(_ store: Store) async throws {
            let semaphore = self.semaphore
            let running = Tally()
            blocker = Task {
                try await store.write { db in
                    running.increment("gate")
                    semaphore.wait()
                    try db.execute(sql: "INSERT INTO items (id, name) VALUES (0, 'gate')")
                }
            }
            guard try await eventually({ running["gate"] == 1 }) else { throw Refused() }
        }

        func release() async throws {
            semaphore.signal()
            try await blocker.value
        }
    }

    @Test(
        "writes queued during a commit commit together; one that throws rolls back alone, and the others keep their results"
    )
    func groupsAndSavepoints() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory, migrations: [Self.table])
            let gate = try await WriterGate(store)
            let writes = 300
            let results = Task {
                try await withThrowingTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                    for id in 1...writes {
                        group.addTask {
                            do {
                                let value = try await store.write { db -> Int in
                                    let name = id == 151 ? "item-1" : "item-\(id)"  // 151 breaks UNIQUE
                                    try db.execute(
                                        sql: "INSERT INTO items (id, name) VALUES (?, ?)",
                                        arguments: [id, name]
                                    )
                                    if id == 150 { throw Refused() }
                                    return id * 10
                                }
                                return (id, .success(value))
                            } catch {
                                return (id, .failure(error))
                            }
                        }
                    }
                    var results: [Int: Result<Int, any Error>] = [:]
                    for try await (id, result) in group { results[id] = result }
                    return results
                }
            }
            #expect(try await eventually { store.queuedWriteCount == writes })
            try await gate.release()
            let outcome = try await results.value

            for id in 1...writes where id != 150 && id != 151 {
                #expect((try? outcome[id]?.get()) == id * 10)
            }
            #expect(throws: Refused.self) { try outcome[150]!.get() }
            let conflict = try #require(throws: StoreError.self) { try outcome[151]!.get() }
            #expect(conflict.code == .conflict)
            let ids = try await store.read { db in try Int.fetchAll(db, sql: "SELECT id FROM items ORDER BY id") }
            #expect(ids == [0] + (1...writes).filter { $0 != 150 && $0 != 151 })
            // The gate's write alone, then the 300 in groups of at most 256.
            #expect(store.commitStatistics == Store.CommitStatistics(commits: 3, writes: 1 + writes))
            try store.close()
        }
    }

    @Test("a write alone that throws commits nothing of what it did")
    func loneWriteRollsBack() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory, migrations: [Self.table])
            await #expect(throws: Refused.self) {
                try await store.write { db in
                    try db.execute(sql: "INSERT INTO items (id, name) VALUES (1, 'one')")
                    throw Refused()
                }
            }
            #expect(try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items") } == 0)
            #expect(store.commitStatistics == Store.CommitStatistics(commits: 0, writes: 0))
            try store.close()
        }
    }

    @Test("a write that ends its group's transaction loses the writes before it, which say so; the next ones run anew")
    func lostTransaction() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory, migrations: [Self.table])
            let gate = try await WriterGate(store)
            let first = Task {
                try await store.write { db in try db.execute(sql: "INSERT INTO items (id, name) VALUES (1, 'one')") }
            }
            #expect(try await eventually { store.queuedWriteCount == 1 })
            let breaker = Task {
                try await store.write { db in
                    try db.execute(sql: "INSERT INTO items (id, name) VALUES (2, 'two')")
                    try db.execute(sql: "ROLLBACK")
                }
            }
            #expect(try await eventually { store.queuedWriteCount == 2 })
            let third = Task {
                try await store.write { db in try db.execute(sql: "INSERT INTO items (id, name) VALUES (3, 'three')") }
            }
            #expect(try await eventually { store.queuedWriteCount == 3 })
            try await gate.release()

            let lost = try await #require(throws: StoreError.self) { try await first.value }
            #expect(lost.message.contains("lost"))
            await #expect(throws: (any Error).self) { try await breaker.value }
            try await third.value
            let ids = try await store.read { db in try Int.fetchAll(db, sql: "SELECT id FROM items ORDER BY id") }
            #expect(ids == [0, 3])
            try store.close()
        }
    }

    @Test("a write from a cancelled task is not queued; a write ignoring cancellation runs")
    func cancellation() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory, migrations: [Self.table])
            let cancelled = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await store.write { db in try db.execute(sql: "INSERT INTO items (id, name) VALUES (1, 'a')")
                }
            }
            await #expect(throws: CancellationError.self) { try await cancelled.value }
            let recorded = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await store.writeIgnoringCancellation { db in
                    try db.execute(sql: "INSERT INTO items (id, name) VALUES (2, 'b')")
                }
            }
            try await recorded.value
            let ids = try await store.read { db in try Int.fetchAll(db, sql: "SELECT id FROM items") }
            #expect(ids == [2])
            try store.close()
        }
    }

    /// The writer's `PRAGMA synchronous` as a write sees it: 1 NORMAL, 2 FULL.
    static func synchronousLevel(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
    }

    @Test("a group of bookkeeping writes commits without an fsync, and the store's FULL is back for the next write")
    func bookkeepingAloneIsUnsynced() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory, migrations: [Self.table])
            let during = try await store.writeBookkeeping { db in
                try db.execute(sql: "INSERT INTO items (id, name) VALUES (1, 'mark')")
                return try Self.synchronousLevel(db)
            }
            let after = try await store.write { db in
                try db.execute(sql: "INSERT INTO items (id, name) VALUES (2, 'state')")
                return try Self.synchronousLevel(db)
            }
            #expect(during == 1)
            #expect(after == 2)
            #expect(store.commitStatistics == Store.CommitStatistics(commits: 2, writes: 2, unsyncedCommits: 1))
            // Committed when it returned: another connection to the file (another process would
            // do the same) reads it from the write-ahead log.
            let other = try openStore(in: directory, migrations: [Self.table])
            let names = try await other.read { db in try String.fetchAll(db, sql: "SELECT name FROM items ORDER BY id")
            }
            #expect(names == ["mark", "state"])
            try other.close()
            try store.close()
        }
    }

    @Test("a bookkeeping write grouped with an ordinary write commits as the store is configured")
    func bookkeepingWithStateIsSynced() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory, migrations: [Self.table])
            let gate = try await WriterGate(store)
            let mark = Task {
                try await store.writeBookkeeping { db in
                    try db.execute(sql: "INSERT INTO items (id, name) VALUES (1, 'mark')")
                    return try Self.synchronousLevel(db)
                }
            }
            #expect(try await eventually { store.queuedWriteCount == 1 })
            let state = Task {
                try await store.write { db in try db.execute(sql: "INSERT INTO items (id, name) VALUES (2, 'state')") }
            }
            #expect(try await eventually { store.queuedWriteCount == 2 })
            try await gate.release()
            #expect(try await mark.value == 2)
            try await state.value
            // The gate's write, then the two together; none without an fsync.
            #expect(store.commitStatistics == Store.CommitStatistics(commits: 2, writes: 3, unsyncedCommits: 0))
            try store.close()
        }
    }

    @Test("a bookkeeping write that throws rolls back and still leaves the store's FULL in place")
    func bookkeepingFailureRestores() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory, migrations: [Self.table])
            await #expect(throws: Refused.self) {
                try await store.writeBookkeeping { db in
                    try db.execute(sql: "INSERT INTO items (id, name) VALUES (1, 'mark')")
                    throw Refused()
                }
            }
            let level = try await store.write { db in try Self.synchronousLevel(db) }
            #expect(level == 2)
            #expect(try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items") } == 0)
            #expect(store.commitStatistics.unsyncedCommits == 0)
            try store.close()
        }
    }

    @Test("a store already at synchronous=NORMAL has nothing to relax")
    func bookkeepingOnNormalStore() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory, synchronous: .normal, migrations: [Self.table])
            let level = try await store.writeBookkeeping { db in
                try db.execute(sql: "INSERT INTO items (id, name) VALUES (1, 'mark')")
                return try Self.synchronousLevel(db)
            }
            #expect(level == 1)
            #expect(store.commitStatistics == Store.CommitStatistics(commits: 1, writes: 1, unsyncedCommits: 0))
            try store.close()
        }
    }
}
