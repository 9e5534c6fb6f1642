import Foundation
import GRDB
import RefundMeshStore
import Testing

/// ``SQLSession`` on SQLite binds and steps cached statements with SQLite's own calls
/// (`Database+Stepping.swift`): what GRDB's execution layer did for them still holds.
@Suite("SQLSession on SQLite: statements stepped directly")
struct DatabaseSteppingTests {
    static let items = StoreMigration("test.v1.items") { db in
        try db.execute(sql: "CREATE TABLE items (id TEXT PRIMARY KEY NOT NULL, n INTEGER NOT NULL CHECK (n >= 0))")
    }

    /// Runs `body` on a fresh store with the `items` table.
    func withItemsStore(_ body: (Store) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory, migrations: [Self.items])
            defer { try? store.close() }
            try await body(store)
        }
    }

    @Test("a wrong number of arguments is refused before the statement runs, naming both counts")
    func argumentCountIsChecked() async throws {
        try await withItemsStore { store in
            let error = await #expect(throws: StoreError.self) {
                try await store.write { db in try db.run("INSERT INTO items (id, n) VALUES (?, ?)", ["a"]) }
            }
            #expect(error?.code == .database)
            #expect(error?.message.contains("1 given, 2 expected") == true)
            let count = try await store.read { db in try db.value(Int.self, "SELECT COUNT(*) FROM items") }
            #expect(count == 0)
        }
    }

    @Test("a failed statement keeps SQLite's code and message, and the same statement runs again")
    func failedStatementsAreReused() async throws {
        try await withItemsStore { store in
            let insert = "INSERT INTO items (id, n) VALUES (?, ?)"
            let error = await #expect(throws: StoreError.self) {
                try await store.write { db in try db.run(insert, ["a", -1]) }
            }
            #expect(error?.code == .conflict)
            #expect(error?.message.contains("CHECK constraint failed") == true)
            let cause = try #require(error?.cause as? DatabaseError)
            #expect(cause.extendedResultCode == .SQLITE_CONSTRAINT_CHECK)
            #expect(cause.sql?.contains("INSERT INTO items") == true)

            // The cached statement that failed is the one run next, with new arguments.
            let inserted = try await store.write { db in try db.run(insert, ["a", 1]) + db.run(insert, ["b", 2]) }
            #expect(inserted == 2)
        }
    }

    @Test("a query left part-way through by GRDB starts over when it is run again")
    func partlySteppedQueriesStartOver() async throws {
        try await withItemsStore { store in
            try await store.write { db in
                for (id, n) in [("a", 1), ("b", 2), ("c", 3)] {
                    try db.run("INSERT INTO items (id, n) VALUES (?, ?)", [id, n])
                }
            }
            let ids = try await store.read { db in
                let sql = "SELECT id FROM items WHERE n >= ? ORDER BY id"
                // GRDB's cursor on the same cached statement, dropped after its first row.
                let cursor = try String.fetchCursor(db.cachedStatement(sql: sql), arguments: [0])
                _ = try cursor.next()
                return try db.rows(sql, [0]).map { try $0["id"] as String }
            }
            #expect(ids == ["a", "b", "c"])
        }
    }
}
