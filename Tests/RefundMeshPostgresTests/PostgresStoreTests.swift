import PostgresNIO
import RefundMeshStore
import Testing

@testable import RefundMeshPostgres

@Suite("PostgresStore: migrations and transactions", .enabled(if: TestDatabase.available, TestDatabase.why))
struct PostgresStoreTests {
    /// Every SQLite store migration has a PostgreSQL one of the same name, in the same order, so
    /// a schema version means the same on both backends.
    @Test func builtInMigrationsMatchSQLite() {
        let postgres = PostgresSchema.migrations.map(\.name)
        #expect(Array(postgres.prefix(Store.builtInMigrationNames.count)) == Store.builtInMigrationNames)
        #expect(postgres.dropFirst(Store.builtInMigrationNames.count).allSatisfy { $0.hasSuffix(".outbox-claims") })
    }

    @Test func migratesOnceWhenReplicasStartTogether() async throws {
        try await TestDatabase.withDatabase { configuration in
            let service = PostgresMigration(
                "intake.v1.refunds",
                ["CREATE TABLE refunds (id TEXT PRIMARY KEY, amount_fen BIGINT NOT NULL CHECK (amount_fen > 0))"]
            )
            let replicas = (0..<3).map { _ in PostgresStore(configuration: configuration, logger: TestDatabase.logger) }
            try await TestDatabase.running(replicas) {
                let applied = try await withThrowingTaskGroup(of: [String].self, returning: [[String]].self) { group in
                    for replica in replicas { group.addTask { try await replica.migrate([service]) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                // One replica ran all of them; the others found nothing left to do.
                let everything = PostgresSchema.migrations.map(\.name) + [service.name]
                #expect(applied.filter { !$0.isEmpty } == [everything])
                #expect(try await replicas[0].appliedMigrations() == everything.sorted())
                #expect(try await replicas[1].migrate([service]).isEmpty)
            }
        }
    }

    @Test func failedMigrationLeavesNothing() async throws {
        try await TestDatabase.withStore { store in
            let broken = PostgresMigration(
                "review.v1.cases",
                ["CREATE TABLE review_cases (id TEXT PRIMARY KEY)", "CREATE INDEX ON no_such_table (id)"]
            )
            await #expect {
                try await store.migrate([broken])
            } throws: { error in
                let error = error as? PostgresStoreError
                return error?.code == .migrationFailed && error?.message.contains("review.v1.cases") == true
                    && error?.message.contains("no_such_table") == true
            }
            let tables = try await store.withConnection { connection in
                try await connection.query("SELECT to_regclass('review_cases')::text", logger: TestDatabase.logger)
                    .collect().first?.decode(String?.self)
            }
            #expect(tables == .some(nil))
            #expect(try await store.appliedMigrations().contains("review.v1.cases") == false)
        }
    }

    @Test func refusesADatabaseMigratedByANewerBuild() async throws {
        try await TestDatabase.withStore { store in
            try await store.migrate([PostgresMigration("notification.v9.future", [])])
            await #expect {
                try await store.migrate()
            } throws: { error in
                let error = error as? PostgresStoreError
                return error?.code == .migrationFailed && error?.message.contains("notification.v9.future") == true
            }
        }
    }

    @Test func transactionRollsBackOnThrowAndMapsConstraintErrors() async throws {
        try await TestDatabase.withStore { store in
            try await store.migrate([
                PostgresMigration("t.v1", ["CREATE TABLE payments (id TEXT PRIMARY KEY, amount_fen BIGINT NOT NULL)"])
            ])
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                try await store.transaction { connection in
                    try await connection.query("INSERT INTO payments VALUES ('p1', 100)", logger: TestDatabase.logger)
                    throw Refused()
                }
            }
            try await store.transaction { connection in
                try await connection.query("INSERT INTO payments VALUES ('p1', 100)", logger: TestDatabase.logger)
            }
            await #expect {
                try await store.transaction { connection in
                    try await connection.query("INSERT INTO payments VALUES ('p1', 200)", logger: TestDatabase.logger)
                }
            } throws: { error in
                (error as? PostgresStoreError)?.code == .conflict
            }
            let total = try await store.withConnection { connection in
                try await connection.query("SELECT SUM(amount_fen)::bigint FROM payments", logger: TestDatabase.logger)
                    .collect().first?.decode(Int64.self)
            }
            #expect(total == 100)
        }
    }
}
