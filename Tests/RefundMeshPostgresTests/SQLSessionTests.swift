import Foundation
import RefundMeshPostgres
import RefundMeshStore
import RefundMeshStoreTestSupport
import Testing

/// The seam the services' stores are written against (``SQLSession``, ``ServiceDatabase``)
/// behaves the same on SQLite and PostgreSQL: the same statements, values, counts and
/// transaction semantics (docs/SCALING.md).
@Suite("SQLSession: one store code, two engines")
struct SQLSessionTests {
    static let sqlite = [
        StoreMigration("test.1.values") { db in
            try db.execute(
                sql: """
                    CREATE TABLE items (
                        id TEXT PRIMARY KEY NOT NULL, i INTEGER, r REAL, s TEXT, b BLOB, flag INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
                    """
            )
        }
    ]
    static let postgres = [
        PostgresMigration(
            "test.1.values",
            [
                """
                CREATE TABLE items (
                    id TEXT PRIMARY KEY NOT NULL, i BIGINT, r DOUBLE PRECISION, s TEXT, b BYTEA, flag BIGINT NOT NULL DEFAULT 0
                )
                """,
                "CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value BIGINT NOT NULL)",
            ]
        )
    ]

    func withDatabase(_ backend: TestBackend, _ body: (any ServiceDatabase) async throws -> Void) async throws {
        try await backend.withDatabase(sqlite: Self.sqlite, postgres: Self.postgres, body)
    }

    @Test(arguments: TestBackend.all)
    func valuesComeBackAsTheyWent(_ backend: TestBackend) async throws {
        try await withDatabase(backend) { db in
            let blob = Data([0, 1, 2, 255])
            try await db.write { db in
                let insert = "INSERT INTO items (id, i, r, s, b, flag) VALUES (?, ?, ?, ?, ?, ?)"
                try db.run(insert, ["max", Int64.max, 1.5, "价格 ¥10 'quoted' ?", blob, true])
                try db.run(insert, ["min", Int64.min, -0.25, "", Data(), false])
                try db.run(insert, ["nulls", nil as Int64?, nil as Double?, nil as String?, nil as Data?, false])
            }
            let rows = try await db.read { db in try db.rows("SELECT * FROM items ORDER BY id", []) }
            #expect(rows.map { try! $0["id"] as String } == ["max", "min", "nulls"])
            let max = rows[0]
            #expect(try max["i"] as Int64 == .max)
            #expect(try max["r"] as Double == 1.5)
            #expect(try max["s"] as String == "价格 ¥10 'quoted' ?")
            #expect(try max["b"] as Data == blob)
            #expect(try max["flag"] as Bool)
            let min = rows[1]
            #expect(try min["i"] as Int64 == .min)
            #expect(try min["b"] as [UInt8] == [])
            #expect(try min["flag"] as Bool == false)
            let nulls = rows[2]
            #expect(try nulls["i"] as Int64? == nil)
            #expect(try nulls["s"] as String? == nil)
            #expect(try nulls["b"] as Data? == nil)
            // A value that does not fit is an error naming the column, not a crash or a zero.
            #expect(throws: SQLDecodingError.self) { try max["s"] as Int64 }
            #expect(throws: SQLDecodingError.self) { try max["no_such_column"] as String }
        }
    }

    @Test(arguments: TestBackend.all)
    func countsChangesAndNumbersPlaceholdersOutsideText(_ backend: TestBackend) async throws {
        try await withDatabase(backend) { db in
            let counts = try await db.write { db in
                var counts: [Int] = []
                for (id, value) in [("a", 1), ("b", 2), ("c", 3)] {
                    counts.append(try db.run("INSERT INTO items (id, i) VALUES (?, ?)", [id, value]))
                }
                // Idempotent inserts: a second one changes nothing and says so.
                counts.append(
                    try db.run("INSERT INTO items (id, i) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", ["a", 9])
                )
                // '?' inside quoted text and comments is text, not a placeholder.
                counts.append(
                    try db.run(
                        "UPDATE items SET s = 'why?' || ? -- not this one?\n WHERE i >= ?",
                        ["!", 2]
                    )
                )
                counts.append(try db.run("DELETE FROM items WHERE id = ?", ["missing"]))
                return counts
            }
            #expect(counts == [1, 1, 1, 0, 2, 0])
            let texts = try await db.read { db in
                try db.rows("SELECT s FROM items ORDER BY id", []).map { try $0["s"] as String? }
            }
            #expect(texts == [nil, "why?!", "why?!"])
            let sum = try await db.read { db in try db.value(Int64.self, "SELECT SUM(i) FROM items") }
            let count = try await db.read { db in try db.value(Int.self, "SELECT COUNT(*) FROM items WHERE i > ?", [1])
            }
            let none = try await db.read { db in
                try db.value(Int64.self, "SELECT MAX(i) FROM items WHERE id = ?", ["x"])
            }
            let returned = try await db.write { db in
                try db.row("UPDATE items SET i = i + 10 WHERE id = ? RETURNING i", ["c"]).map { try $0[0] as Int64 }
            }
            #expect(sum == 6)
            #expect(count == 2)
            #expect(none == nil)
            #expect(returned == 13)
        }
    }

    @Test(arguments: TestBackend.all)
    func aThrowingWriteLeavesNothingAndKeepsItsError(_ backend: TestBackend) async throws {
        struct Refused: Error, Equatable {}
        try await withDatabase(backend) { db in
            await #expect(throws: Refused.self) {
                try await db.write { db in
                    try db.run("INSERT INTO items (id) VALUES (?)", ["kept?"])
                    throw Refused()
                }
            }
            let count = try await db.read { db in try db.value(Int.self, "SELECT COUNT(*) FROM items") }
            #expect(count == 0)
        }
    }

    /// Read, then write what was read plus one, from many tasks at once: no update is lost.
    /// SQLite has one writer; PostgreSQL's writes take the database's write lock first (under its
    /// READ COMMITTED alone, two writers read the same value and increments disappear: 8 of 64
    /// were left in one run without the lock).
    @Test(arguments: TestBackend.all)
    func concurrentReadModifyWritesLoseNothing(_ backend: TestBackend) async throws {
        try await withDatabase(backend) { db in
            try await db.write { db in try db.run("INSERT INTO counters (name, value) VALUES ('refunds', 0)") }
            let writers = 64
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<writers {
                    group.addTask {
                        try await db.write { db in
                            let value =
                                try db.value(Int64.self, "SELECT value FROM counters WHERE name = 'refunds'") ?? -1
                            try db.run("UPDATE counters SET value = ? WHERE name = 'refunds'", [value + 1])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let value = try await db.read { db in try db.value(Int64.self, "SELECT value FROM counters") }
            #expect(value == Int64(writers))
        }
    }

    @Test(arguments: TestBackend.all)
    func aConstraintViolationIsAnErrorOfTheStore(_ backend: TestBackend) async throws {
        try await withDatabase(backend) { db in
            try await db.write { db in try db.run("INSERT INTO items (id) VALUES ('a')") }
            let error = await #expect(throws: (any Error).self) {
                try await db.write { db in try db.run("INSERT INTO items (id) VALUES ('a')") }
            }
            switch backend {
            case .sqlite: #expect((error as? StoreError)?.code == .conflict)
            case .postgres: #expect((error as? PostgresStoreError)?.code == .conflict)
            }
        }
    }
}
