import Foundation
import Logging
import PostgresNIO
import RefundMeshPostgres
import RefundMeshStore
import Testing

/// The store engines a service's store tests run on: SQLite always, PostgreSQL when
/// `REFUNDMESH_TEST_POSTGRES_URL` names a server (scripts/test.sh starts one; CI always has it).
///
/// ```swift
/// @Test(arguments: TestBackend.all)
/// func decides(_ backend: TestBackend) async throws {
///     try await backend.withDatabase(sqlite: ReviewStore.migrations, postgres: ReviewStore.postgresMigrations) { db in
///         …
///     }
/// }
/// ```
public enum TestBackend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// The server the PostgreSQL runs use.
    public static let postgresURL = ProcessInfo.processInfo.environment["REFUNDMESH_TEST_POSTGRES_URL"]

    /// SQLite, and PostgreSQL when a server is configured.
    public static var all: [TestBackend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    public var testDescription: String { rawValue }

    static let logger: Logger = {
        var logger = Logger(label: "store-tests")
        logger.logLevel = .error
        return logger
    }()

    /// A fresh, migrated database on this engine (a temporary SQLite file, or a database of its
    /// own on the server, dropped after), open while `body` runs.
    public func withDatabase<T: Sendable>(
        sqlite: [StoreMigration],
        postgres: [PostgresMigration],
        synchronous: Store.Configuration.Synchronous = .normal,
        _ body: (any ServiceDatabase) async throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let store = try Store(
                configuration: Store.Configuration(
                    path: folder.appendingPathComponent("store.sqlite").path,
                    synchronous: synchronous
                ),
                migrations: sqlite,
                logger: Self.logger
            )
            defer { try? store.close() }
            return try await body(store.database)
        case .postgres:
            return try await Self.withPostgresDatabase { configuration in
                let store = PostgresStore(configuration: configuration, logger: Self.logger)
                return try await Self.running([store]) {
                    try await store.migrate(postgres)
                    return try await body(store)
                }
            }
        }
    }

    /// Creates a database on the test server, hands `body` its configuration, drops it after.
    public static func withPostgresDatabase<T: Sendable>(
        connections: Int = 8,
        _ body: (PostgresStore.Configuration) async throws -> T
    ) async throws -> T {
        guard let url = postgresURL else {
            throw PostgresStoreError(
                code: .invalidConfiguration,
                message: "REFUNDMESH_TEST_POSTGRES_URL is not set (scripts/test.sh starts a server and sets it)"
            )
        }
        var admin = try PostgresStore.Configuration(url: url)
        admin.maximumConnections = 1
        let name = "rmt_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let adminStore = PostgresStore(configuration: admin, logger: logger)
        return try await running([adminStore]) {
            try await adminStore.withConnection { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            }
            var configuration = admin
            configuration.database = name
            configuration.maximumConnections = connections
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

    /// Creates a database on the test server and hands `body` its connection string (for a
    /// service process's `<SERVICE>_DATABASE_URL`); drops it after.
    public static func withPostgresDatabaseURL<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        try await withPostgresDatabase { configuration in
            guard let base = postgresURL, var components = URLComponents(string: base) else {
                throw PostgresStoreError(
                    code: .invalidConfiguration,
                    message: "REFUNDMESH_TEST_POSTGRES_URL is not a URL"
                )
            }
            components.path = "/" + configuration.database
            return try await body(components.string ?? base)
        }
    }

    /// Runs `body` while `stores` run (their connection pools), then stops them.
    public static func running<T: Sendable>(_ stores: [PostgresStore], _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            for store in stores { group.addTask { try await store.run() } }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    private static func drop(_ name: String, _ admin: PostgresStore) async throws {
        try await admin.withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger)
        }
    }
}
