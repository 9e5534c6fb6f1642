import Foundation
import GRDB
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
    /// into this (migrated, empty) database: ``importTables(from:sqliteMigrations:only:batchSize:)``
    /// for those two tables.
    @discardableResult
    public func importBuiltInTables(from sqlite: Store, batchSize: Int = 500) async throws -> ImportCounts {
        let copied = try await importTables(
            from: sqlite,
            only: ["outbox_messages", "processed_events"],
            batchSize: batchSize
        )
        var counts = ImportCounts()
        for table in copied {
            if table.name == "outbox_messages" { counts.outboxMessages = table.rows }
            if table.name == "processed_events" { counts.processedEvents = table.rows }
        }
        return counts
    }

    /// One table ``importTables(from:sqliteMigrations:only:batchSize:)`` copied.
    public struct ImportedTable: Sendable, Hashable {
        /// The table's name (the same on both engines).
        public var name: String
        /// Rows copied.
        public var rows: Int
    }

    /// Copies a SQLite store's tables into this migrated, empty PostgreSQL database, in one
    /// transaction: the move of a service from SQLite to PostgreSQL (docs/SCALING.md,
    /// `refundctl store import`).
    ///
    /// Every table the two have in common is copied column for column, rows in SQLite's rowid
    /// order, parents before the tables whose foreign keys point at them. Values are kept: ids
    /// (and the identity sequences are set past them, so new rows sort after), times, states,
    /// blobs, the outbox's attempts and delivered marks, the receipts' stored results. A
    /// PostgreSQL-only `seq` column is filled in insertion order, which is SQLite's rowid order.
    /// - Parameters:
    ///   - sqlite: The store to copy; stop the service that writes it first.
    ///   - sqliteMigrations: The migration names the SQLite store must have applied, so both
    ///     sides are at this build's schema version (the store's own are always checked).
    ///   - only: Copy only these tables (nil: every table the two have in common).
    /// - Returns: The tables copied, in the order they were copied.
    /// - Throws: ``PostgresStoreError`` (``PostgresStoreError/Code/migrationFailed``) when either
    ///   side is at another schema version, a table to copy already has rows, or a SQLite column
    ///   has no place in PostgreSQL; nothing is copied then.
    @discardableResult
    public func importTables(
        from sqlite: Store,
        sqliteMigrations: [String] = [],
        only: Set<String>? = nil,
        batchSize: Int = 500
    ) async throws -> [ImportedTable] {
        let applied = try await appliedMigrations()
        let missing = PostgresSchema.migrations.map(\.name).filter { !applied.contains($0) }
        guard missing.isEmpty else {
            throw Self.importRefused(
                "the PostgreSQL database is not migrated (missing \(missing.joined(separator: ", "))); "
                    + "run migrate() first"
            )
        }
        let sqliteApplied = Set(try await sqlite.appliedMigrations())
        let behind = (Store.builtInMigrationNames + sqliteMigrations).filter { !sqliteApplied.contains($0) }
        guard behind.isEmpty else {
            throw Self.importRefused(
                "the SQLite store is behind this build (missing \(behind.joined(separator: ", "))); "
                    + "open it once with this build to migrate it"
            )
        }
        let pool = sqlite.pool
        let size = max(1, batchSize)
        return try await write { db in
            let plan = try Self.importPlan(pool: pool, postgres: db, only: only)
            var copied: [ImportedTable] = []
            for table in plan {
                let existing = try db.value(Int64.self, "SELECT COUNT(*) FROM \(table.name)") ?? 0
                guard existing == 0 else {
                    throw Self.importRefused(
                        "the PostgreSQL table \(table.name) already has \(existing) rows; import into a fresh database"
                    )
                }
                // Within PostgreSQL's 65,535 parameters a statement.
                let rowsPerInsert = max(1, min(size, 60_000 / table.columns.count))
                let columns = table.columns.joined(separator: ", ")
                var after: Int64 = .min
                var count = 0
                while true {
                    let (from, offset) = (after, count)
                    // In rowid order, page after page; a WITHOUT ROWID table in its key's order.
                    let page = try pool.read { source in
                        table.keyOrder.isEmpty
                            ? try source.rows(
                                "SELECT rowid, \(columns) FROM \(table.name) WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                [from, rowsPerInsert]
                            )
                            : try source.rows(
                                "SELECT 0, \(columns) FROM \(table.name) ORDER BY \(table.keyOrder) LIMIT ? OFFSET ?",
                                [rowsPerInsert, offset]
                            )
                    }
                    guard let last = page.last else { break }
                    let placeholders =
                        "(" + Array(repeating: "?", count: table.columns.count).joined(separator: ", ") + ")"
                    try db.run(
                        "INSERT INTO \(table.name) (\(columns)) VALUES "
                            + Array(repeating: placeholders, count: page.count).joined(separator: ", "),
                        page.flatMap { Array($0.values.dropFirst()) }
                    )
                    count += page.count
                    after = try last[0]
                }
                for identity in table.identities {
                    try db.run(
                        """
                        SELECT setval(pg_get_serial_sequence('\(table.name)', '\(identity)'),
                            GREATEST((SELECT MAX(\(identity)) FROM \(table.name)), 1),
                            (SELECT COUNT(*) > 0 FROM \(table.name)))
                        """
                    )
                }
                copied.append(ImportedTable(name: table.name, rows: count))
            }
            return copied
        }
    }

    /// A table to copy: its name, the columns both sides have, the identity columns to advance.
    private struct ImportTable {
        var name: String
        var columns: [String]
        var identities: [String]
        /// For a WITHOUT ROWID table, its primary key's columns to page in; empty otherwise.
        var keyOrder: String
    }

    /// The tables both sides have (or `only`), parents first, with their columns.
    private static func importPlan(
        pool: DatabasePool,
        postgres db: some SQLSession,
        only: Set<String>?
    ) throws -> [ImportTable] {
        let sqliteTables = try pool.read { source in
            try source.rows(
                """
                SELECT name FROM sqlite_master
                WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
                """
            ).map { try $0["name"] as String }
        }
        let postgresTables = Set(
            try db.rows(
                "SELECT table_name::text AS table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            ).map { try $0["table_name"] as String }
        )
        var names = sqliteTables.filter { postgresTables.contains($0) && $0 != "refundmesh_migrations" }
        if let only { names = names.filter(only.contains) }
        if let only, let absent = only.subtracting(names).sorted().first {
            throw importRefused("table \(absent) is not in both stores; is each at this build's schema version?")
        }
        // Parents first: a table waits until every table its foreign keys point at is placed.
        var parents: [String: Set<String>] = [:]
        for row in try db.rows(
            """
            SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
            FROM pg_constraint c WHERE c.contype = 'f'
            """
        ) {
            let child: String = try row["child"]
            let parent: String = try row["parent"]
            if child != parent { parents[child, default: []].insert(parent) }
        }
        var ordered: [String] = []
        var remaining = names.sorted()
        while !remaining.isEmpty {
            guard
                let next = remaining.first(where: {
                    parents[$0, default: []].subtracting(ordered).intersection(names).isEmpty
                })
            else {
                throw importRefused("the tables' foreign keys form a cycle (\(remaining.joined(separator: ", ")))")
            }
            ordered.append(next)
            remaining.removeAll { $0 == next }
        }
        return try ordered.map { name in
            let (sqliteColumns, keyOrder) = try pool.read { source in
                let columns = try source.rows("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", [name])
                let definition =
                    try source.value(String.self, "SELECT sql FROM sqlite_master WHERE name = ?", [name]) ?? ""
                var key = ""
                if definition.uppercased().contains("WITHOUT ROWID") {
                    var parts: [(Int, String)] = []
                    for column in columns {
                        let position: Int = try column["pk"]
                        if position > 0 { parts.append((position, try column["name"])) }
                    }
                    key = parts.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: ", ")
                }
                return (try columns.map { try $0["name"] as String }, key)
            }
            var postgresColumns: [String] = []
            var generated: Set<String> = []
            var identities: [String] = []
            for row in try db.rows(
                """
                SELECT column_name::text AS column_name, is_identity::text AS is_identity,
                    identity_generation::text AS identity_generation
                FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position
                """,
                [name]
            ) {
                let column: String = try row["column_name"]
                postgresColumns.append(column)
                guard try row["is_identity"] as String == "YES" else { continue }
                if try row["identity_generation"] as String? == "ALWAYS" {
                    generated.insert(column)
                } else {
                    identities.append(column)
                }
            }
            if let lost = sqliteColumns.first(where: { !postgresColumns.contains($0) }) {
                throw importRefused(
                    "column \(name).\(lost) has no place in PostgreSQL; is each at this build's schema version?"
                )
            }
            let columns = sqliteColumns.filter { !generated.contains($0) }
            return ImportTable(
                name: name,
                columns: columns,
                identities: identities.filter(columns.contains),
                keyOrder: keyOrder
            )
        }
    }

    private static func importRefused(_ message: String) -> PostgresStoreError {
        PostgresStoreError(code: .migrationFailed, message: message)
    }
}
