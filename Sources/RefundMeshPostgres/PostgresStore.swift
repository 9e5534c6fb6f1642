import Logging
import PostgresNIO
import ServiceLifecycle

/// A service's store on PostgreSQL: a pool of connections, transactions, and versioned
/// migrations that several replicas may run at once.
///
/// The SQLite ``RefundMeshStore/Store`` is the embedded default; this is the backend for
/// deployments that outgrow one machine (docs/SCALING.md). Its own tables (the outbox, the
/// processed events) have the same migration names as SQLite's, so a schema version means the
/// same in both.
///
/// A swift-service-lifecycle `Service`: ``run()`` runs the connection pool, and must be running
/// (in the service group, or a task) while the store is used.
public final class PostgresStore: Service, Sendable {
    /// Where the database is.
    public let configuration: Configuration
    let client: PostgresClient
    let logger: Logger

    /// Creates the store; nothing connects before ``run()`` starts and a call needs a connection.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.client = PostgresClient(configuration: configuration.client, backgroundLogger: logger)
    }

    /// Runs the connection pool until the task is cancelled or the service group shuts down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.client.run()
        }
    }

    /// Runs `body` in one transaction (READ COMMITTED, PostgreSQL's default): committed if it
    /// returns, rolled back if it throws, and its error rethrown as it was (query failures as
    /// ``PostgresStoreError``).
    public func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    // A broken connection has no transaction left to roll back; the pool drops it.
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw PostgresStoreError.wrapping(error)
        }
    }

    /// Runs `body` with a connection, outside any transaction (each statement commits alone).
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw PostgresStoreError.wrapping(error)
        }
    }

    /// Brings the schema up to date: the store's own migrations, then `migrations`, each once,
    /// in order, each in the same transaction as its record in `refundmesh_migrations`.
    ///
    /// Replicas starting together all call this: a transaction-scoped advisory lock makes them
    /// take turns, so each migration runs once and the later replicas find nothing to do.
    /// - Returns: The names of the migrations this call applied.
    /// - Throws: ``PostgresStoreError`` with ``PostgresStoreError/Code/migrationFailed`` if one
    ///   fails (nothing of it stays), or if the database has a migration this build does not know
    ///   (it was migrated by a newer build).
    @discardableResult
    public func migrate(_ migrations: [PostgresMigration] = []) async throws -> [String] {
        let all = PostgresSchema.migrations + migrations
        var seen = Set<String>()
        for migration in all where !seen.insert(migration.name).inserted {
            throw PostgresStoreError(code: .migrationFailed, message: "migration \(migration.name) is listed twice")
        }
        let logger = self.logger
        return try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS refundmesh_migrations (
                    name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                logger: logger
            )
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM refundmesh_migrations", logger: logger)
                .decode(String.self)
            {
                applied.insert(name)
            }
            let unknown = applied.subtracting(all.map(\.name)).sorted()
            guard unknown.isEmpty else {
                throw PostgresStoreError(
                    code: .migrationFailed,
                    message:
                        "the database has migrations this build does not know (\(unknown.joined(separator: ", "))): "
                        + "it was migrated by a newer build; run that build or newer"
                )
            }
            var ran: [String] = []
            for migration in all where !applied.contains(migration.name) {
                do {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO refundmesh_migrations (name) VALUES (\(migration.name))",
                        logger: logger
                    )
                } catch {
                    throw PostgresStoreError(
                        code: .migrationFailed,
                        message: "migration \(migration.name) failed: \(PostgresStoreError.wrapping(error))",
                        cause: error
                    )
                }
                ran.append(migration.name)
            }
            return ran
        }
    }

    /// The advisory lock key migrations hold (any fixed 64-bit number; this one spells "rfndmsh1").
    static let migrationLock: Int64 = 0x7266_6E64_6D73_6831

    /// The names of the migrations the database has applied, in name order; none for a database
    /// never migrated.
    public func appliedMigrations() async throws -> [String] {
        try await withConnection { connection in
            let migrated = try await connection.query(
                "SELECT to_regclass('refundmesh_migrations') IS NOT NULL",
                logger: logger
            ).collect().first?.decode(Bool.self)
            guard migrated == true else { return [] }
            var names: [String] = []
            for try await name in try await connection.query(
                "SELECT name FROM refundmesh_migrations ORDER BY name",
                logger: logger
            ).decode(String.self) {
                names.append(name)
            }
            return names
        }
    }
}
