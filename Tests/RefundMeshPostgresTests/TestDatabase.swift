import Foundation
import Logging
import PostgresNIO
import RefundMeshPostgres
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
        var admin = try PostgresStore.Configuration(url: try #require(url, Self.why))
        admin.maximumConnections = 1
        let name = "rmt_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let adminStore = PostgresStore(configuration: admin, logger: logger)
        return try await running([adminStore]) {
            try await adminStore.withConnection { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            }
            var configuration = admin
            configuration.database = name
            configuration.maximumConnections = 4
            do {
                let value = try await body(configuration)
                try await drop(name, adminStore)
                return value
            } catch {
                try? await drop(name, adminStore)
                throw error
            }
        }
    }

    /// Runs `body` while `stores` run (their pools), then stops them.
    static func running<T: Sendable>(_ stores: [PostgresStore], _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            for store in stores { group.addTask { try await store.run() } }
            defer { group.cancelAll() }
            return try await body()
        }
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

    private static func drop(_ name: String, _ admin: PostgresStore) async throws {
        try await admin.withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger)
        }
    }
}
