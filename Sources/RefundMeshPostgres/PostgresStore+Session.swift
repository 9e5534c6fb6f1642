import Logging
import NIOPosix
import PostgresNIO
import RefundMeshStore

/// The services' store code on PostgreSQL: ``RefundMeshStore/ServiceDatabase``'s transactions,
/// each on a pooled connection and a thread of its own.
///
/// Writes run one at a time per database, as on SQLite's single writer: each takes the
/// database's write lock (a transaction-scoped advisory lock, ``writeLock``) as its first
/// statement, under READ COMMITTED, so every later statement sees all that committed before it
/// got the lock. Two replicas deciding the same refund, or paying against the same payment,
/// cannot both act on what they read; they wait for each other instead of failing. (SERIALIZABLE
/// gave the same guarantee by aborting and retrying, and on the mesh's hot rows, the evidence
/// chain's head and young tables' index pages, it gave up one to two transactions per commit and
/// the mesh made 24 refunds/s; docs/SCALING.md.) Reads run REPEATABLE READ, READ ONLY: one
/// committed state, like a SQLite snapshot, never waiting for the lock. The outbox relays' claims
/// do not take it either: they lock only the rows they claim.
extension PostgresStore: ServiceDatabase {
    public var dialect: SQLDialect { .postgres }

    public func isConflict(_ error: any Error) -> Bool {
        (error as? PostgresStoreError)?.code == .conflict
    }

    @discardableResult
    public func write<T: Sendable>(_ updates: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await blockingTransaction(Self.beginWrite, retrying: true, updates)
    }

    @discardableResult
    public func writeIgnoringCancellation<T: Sendable>(
        _ updates: @escaping @Sendable (any SQLSession) throws -> T
    ) async throws -> T {
        // An unstructured task does not inherit the caller's cancellation.
        try await Task { try await self.blockingTransaction(Self.beginWrite, retrying: true, updates) }.value
    }

    public func read<T: Sendable>(_ value: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await blockingTransaction(["BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"], retrying: true, value)
    }

    /// The advisory lock key writes take (any fixed 64-bit number; this one spells "rfndwrt1").
    /// Advisory locks belong to one database, and each service has its own.
    static let writeLock: Int64 = 0x7266_6E64_7772_7431

    /// A write's first statements: READ COMMITTED, then the write lock.
    static let beginWrite = ["BEGIN ISOLATION LEVEL READ COMMITTED", "SELECT pg_advisory_xact_lock(\(writeLock))"]

    /// Deadlocks and serialization failures the server reports, retried before the error reaches
    /// the caller (with the write lock neither should happen; this is the safety net).
    static let retryLimit = 20

    /// Threads the sessions' synchronous code runs on while it waits for the server: a global
    /// pool, started once, as many threads as transactions that may be open at once in a process.
    static let blockingPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 64)
        pool.start()
        return pool
    }()

    private func blockingTransaction<T: Sendable>(
        _ begin: [String],
        retrying: Bool,
        _ body: @escaping @Sendable (any SQLSession) throws -> T
    ) async throws -> T {
        let logger = self.logger
        var attempt = 0
        while true {
            do {
                return try await client.withConnection { connection in
                    try await Self.blockingPool.runIfActive {
                        let session = PostgresSession(connection: connection, logger: logger)
                        for statement in begin { try session.run(statement) }
                        do {
                            let value = try body(session)
                            try session.run("COMMIT")
                            return value
                        } catch {
                            _ = try? session.run("ROLLBACK")
                            throw error
                        }
                    }
                }
            } catch let error as PostgresStoreError
                where error.code == .retryable && retrying && attempt < Self.retryLimit
            {
                attempt += 1
                logger.debug(
                    "transaction retried after a serialization conflict",
                    metadata: ["postgres.attempt": "\(attempt)", "postgres.error": "\(error.message)"]
                )
                // Spread the retries of transactions that collided, so they do not collide again.
                try await Task.sleep(for: .microseconds(Int.random(in: 0...(500 << min(attempt, 5)))))
            } catch {
                throw PostgresStoreError.wrapping(error)
            }
        }
    }
}
