import Foundation
import Logging
import RefundMeshPostgres
import RefundMeshStoreTestSupport
import Testing

/// A fresh database per test on the server `REFUNDMESH_TEST_POSTGRES_URL` names
/// (scripts/test.sh starts one with scripts/postgres-test-server.sh), dropped afterwards.
enum TestDatabase {
    static let url = ProcessInfo.processInfo.environment["REFUNDMESH_TEST_POSTGRES_URL"]
    static var available: Bool { url != nil }
    static let why: Comment = "needs REFUNDMESH_TEST_POSTGRES_URL (scripts/test.sh starts a PostgreSQL server for it)"

    static let logger: Logger = {
        var logger = Logger(label: "postgres-tests")
        logger.logLevel = .error
        return logger
    }()

    /// Creates a database, hands `body` its configuration, and drops it after.
    static func withDatabase<T: Sendable>(_ body: (PostgresStore.Configuration) async throws -> T) async throws -> T {
        try await TestBackend.withPostgresDatabase(connections: 4, body)
    }

    /// Runs `body` while `stores` run (their pools), then stops them.
    static func running<T: Sendable>(_ stores: [PostgresStore], _ body: () async throws -> T) async throws -> T {
        try await TestBackend.running(stores, body)
    }

    /// A migrated store on a fresh database, running while `body` runs.
    static func withStore<T: Sendable>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        try await withDatabase { configuration in
            let store = PostgresStore(configuration: configuration, logger: logger)
            return try await running([store]) {
                try await store.migrate()
                return try await body(store)
            }
        }
    }
}
