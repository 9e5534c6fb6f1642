import Logging
import RefundMeshPostgres
import RefundMeshStore
import ServiceLifecycle
import Synchronization

/// A service's store as its settings choose it: the SQLite file in its data folder (the
/// default), or PostgreSQL when `<SERVICE>_DATABASE_URL` is set, shared by the service's
/// replicas (docs/SCALING.md).
///
/// The handler gets ``database`` either way; ``relay(deliver:)`` is the outbox relay that fits
/// (one per file, or one per replica claiming with `FOR UPDATE SKIP LOCKED`).
public final class ServiceBackend: Sendable {
    /// The store the handler's transactions run on.
    public let database: any ServiceDatabase
    /// The SQLite store, when that is the engine (online backups and gauges read it).
    public let sqlite: Store?
    /// The PostgreSQL store, when that is the engine.
    public let postgres: PostgresStore?
    private let postgresMigrations: [PostgresMigration]
    private let replica: String
    private let lease: Duration?
    private let logger: Logger
    private let pool = Mutex<Task<Void, any Error>?>(nil)

    /// Opens (SQLite: and migrates) the store `settings` names.
    /// - Throws: `StoreError` when the SQLite file cannot be opened or migrated;
    ///   `PostgresStoreError` when `<SERVICE>_DATABASE_URL` is malformed.
    public init(
        settings: HostConfiguration,
        sqlite: [StoreMigration],
        postgres: [PostgresMigration],
        logger: Logger
    ) throws {
        self.logger = logger
        self.postgresMigrations = postgres
        self.replica = settings.replicaName ?? PostgresOutboxRelay.Configuration.defaultReplicaName
        self.lease = settings.outboxLease
        if let url = settings.databaseURL {
            let store = PostgresStore(
                configuration: try PostgresStore.Configuration(url: url, applicationName: settings.serviceName),
                logger: logger
            )
            self.postgres = store
            self.sqlite = nil
            self.database = store
        } else {
            let store = try Store(
                configuration: Store.Configuration(
                    path: settings.databasePath,
                    synchronous: settings.synchronousFull ? .full : .normal
                ),
                migrations: sqlite,
                logger: logger
            )
            self.sqlite = store
            self.postgres = nil
            self.database = store.database
        }
    }

    /// PostgreSQL: starts the connection pool and brings the schema up to date (replicas
    /// starting together take turns; docs/SCALING.md). SQLite: nothing (the file is open and
    /// migrated).
    public func start() async throws {
        guard let postgres else { return }
        pool.withLock { task in
            if task == nil { task = Task { try await postgres.run() } }
        }
        let applied = try await postgres.migrate(postgresMigrations)
        logger.info(
            "store on PostgreSQL",
            metadata: [
                "postgres.host": "\(postgres.configuration.host)",
                "postgres.database": "\(postgres.configuration.database)",
                "postgres.migrations_applied": "\(applied.count)",
                "replica": "\(replica)",
            ]
        )
    }

    /// The outbox relay for this engine, delivering through `dispatcher`'s
    /// ``OutboxDispatcher/deliverMany(_:)`` (batch calls where the method has one): on SQLite a
    /// round's messages go in steps, the next message of every ordering key at once; on PostgreSQL
    /// each claimed round (the oldest pending message of every key) goes at once.
    public func relay(dispatcher: OutboxDispatcher) -> any Service {
        if let postgres {
            return PostgresOutboxRelay(
                store: postgres,
                configuration: postgresRelayConfiguration,
                logger: logger,
                deliverMany: dispatcher.deliverMany
            )
        }
        return OutboxRelay(store: sqlite!, logger: logger, deliverMany: dispatcher.deliverMany)
    }

    /// The outbox relay for this engine, delivering with `deliver`.
    public func relay(deliver: @escaping OutboxRelay.Deliver) -> any Service {
        if let postgres {
            return PostgresOutboxRelay(
                store: postgres,
                configuration: postgresRelayConfiguration,
                logger: logger,
                deliver: deliver
            )
        }
        return OutboxRelay(store: sqlite!, logger: logger, deliver: deliver)
    }

    private var postgresRelayConfiguration: PostgresOutboxRelay.Configuration {
        var configuration = PostgresOutboxRelay.Configuration(replica: replica)
        if let lease { configuration.lease = lease }
        return configuration
    }

    /// Closes the store: SQLite's connections, or PostgreSQL's pool.
    public func stop() async {
        try? sqlite?.close()
        let task = pool.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        _ = try? await task?.value
    }
}
