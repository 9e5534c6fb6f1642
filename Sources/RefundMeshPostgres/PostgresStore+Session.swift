import Logging
import NIOPosix
import PostgresNIO
import RefundMeshStore

/// The services' store code on PostgreSQL: ``RefundMeshStore/ServiceDatabase``'s transactions,
/// each on a pooled connection and a thread of its own.
///
/// Writes run SERIALIZABLE, so they behave as if they ran one at a time, as on SQLite's single
/// writer: two replicas deciding the same refund, or paying against the same payment, cannot
/// both act on what they read (the later one's transaction fails and runs again, and sees the
/// first one's result). Reads run REPEATABLE READ, READ ONLY: one committed state, like a SQLite
/// snapshot.
extension PostgresStore: ServiceDatabase {
    public var dialect: SQLDialect { .postgres }

    @discardableResult
    public func write<T: Sendable>(_ updates: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await blockingTransaction("BEGIN ISOLATION LEVEL SERIALIZABLE", retrying: true, updates)
    }

    @discardableResult
    public func writeIgnoringCancellation<T: Sendable>(
        _ updates: @escaping @Sendable (any SQLSession) throws -> T
    ) async throws -> T {
        // An unstructured task does not inherit the caller's cancellation.
        try await Task {
            try await self.blockingTransaction("BEGIN ISOLATION LEVEL SERIALIZABLE", retrying: true, updates)
        }
        .value
    }

    public func read<T: Sendable>(_ value: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await blockingTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", retrying: true, value)
    }

    /// Serialization failures and deadlocks retried before the error reaches the caller.
    static let retryLimit = 20

    /// Threads the sessions' synchronous code runs on while it waits for the server: a global
    /// pool, started once, as many threads as transactions that may be open at once in a process.
    static let blockingPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 64)
        pool.start()
        return pool
    }()

    private func blockingTransaction<T: Sendable>(
        _ begin: String,
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
                        try session.run(begin)
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
                try await Task.sleep(for: .microseconds(Int.random(in: 0...(500 << min(attempt, 6)))))
            } catch {
                throw PostgresStoreError.wrapping(error)
            }
        }
    }
}
