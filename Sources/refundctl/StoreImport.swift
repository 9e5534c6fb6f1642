import ArgumentParser
import Foundation
import IntakeService
import Logging
import NotificationService
import PaymentChannelService
import RefundMeshPostgres
import RefundMeshStore
import ReviewService

/// `refundctl store`: moving a service's store between engines (docs/SCALING.md).
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move a service's store from its SQLite file to PostgreSQL.",
        subcommands: [StoreImport.self]
    )
}

/// `refundctl store import`: a stopped service's SQLite store, copied into a fresh PostgreSQL
/// database; the service then starts with `<SERVICE>_DATABASE_URL` and goes on where it stopped.
struct StoreImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Copy a stopped service's SQLite store into a fresh PostgreSQL database.",
        discussion: """
            Stop the service first (every replica: the SQLite file has one writer). The database is
            migrated to this build's schema, then every table is copied in one transaction, ids and
            outbox state included; a database that already has rows is refused. Then start the
            service with <SERVICE>_DATABASE_URL set to the same URL. payment-channel's in-process
            sandbox (payment-sandbox.sqlite) moves into the same database.
            """
    )

    @Option(help: "The service: intake, review, payment-channel or notification.")
    var service: String

    @Option(help: "The service's data folder, where <service>.sqlite is.")
    var dataDir: String

    @Option(
        help: """
            The PostgreSQL database, postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=disable|prefer|require \
            (default: the service's <SERVICE>_DATABASE_URL).
            """
    )
    var to: String?

    func run() async throws {
        let layout = try StoreLayout(service: service)
        let variable = layout.prefix + "_DATABASE_URL"
        guard let url = to ?? ProcessInfo.processInfo.environment[variable], !url.isEmpty else {
            throw ValidationError("no database: pass --to postgres://… or set \(variable)")
        }
        var logger = Logger(label: "refundctl.store")
        logger.logLevel = .error
        let postgres = PostgresStore(
            configuration: try PostgresStore.Configuration(url: url, applicationName: "refundctl"),
            logger: logger
        )
        let files = try layout.files.map { file in
            let path = URL(fileURLWithPath: dataDir).appendingPathComponent(file.name).path
            // Opening a missing path would make an empty store and copy nothing.
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("\(path) does not exist: is --data-dir \(service)'s data folder?")
            }
            return (file, path)
        }
        let pool = Task { try await postgres.run() }
        defer { pool.cancel() }
        let applied = try await postgres.migrate(layout.postgres)
        print("\(service): PostgreSQL database migrated (\(applied.count) migrations applied)")
        for (file, path) in files {
            // Opening it with this build brings an older file to this build's schema first, as
            // starting the service would.
            let sqlite = try Store(
                configuration: Store.Configuration(path: path),
                migrations: file.migrations,
                logger: logger
            )
            defer { try? sqlite.close() }
            let copied = try await postgres.importTables(
                from: sqlite,
                sqliteMigrations: file.migrations.map(\.name),
                only: file.tables
            )
            let total = copied.reduce(0) { $0 + $1.rows }
            print("\(file.name): \(total) rows in \(copied.count) tables")
            for table in copied { print("  \(table.name.padding(to: 24)) \(table.rows)") }
        }
        print("done: start \(service) with \(variable) set to this database")
    }
}

/// Where a service keeps its store and which migrations describe it on each engine.
struct StoreLayout {
    struct File {
        /// The SQLite file in the data folder.
        var name: String
        /// Its migrations (the service's or the sandbox's).
        var migrations: [StoreMigration]
        /// Only these tables (nil: all it shares with PostgreSQL).
        var tables: Set<String>?
    }

    var prefix: String
    var files: [File]
    var postgres: [PostgresMigration]

    init(service: String) throws {
        prefix = service.uppercased().replacingOccurrences(of: "-", with: "_")
        switch service {
        case "intake":
            files = [File(name: "intake.sqlite", migrations: IntakeStore.migrations)]
            postgres = IntakeStore.postgresMigrations
        case "review":
            files = [File(name: "review.sqlite", migrations: ReviewStore.migrations)]
            postgres = ReviewStore.postgresMigrations
        case "payment-channel":
            files = [
                File(name: "payment-channel.sqlite", migrations: PaymentStore.migrations),
                // The sandbox's file has the store's own tables too, unused: only its records move.
                File(
                    name: "payment-sandbox.sqlite",
                    migrations: SandboxChannelAdapter.migrations,
                    tables: ["provider_refunds", "provider_submissions"]
                ),
            ]
            postgres = PaymentStore.postgresMigrations + SandboxChannelAdapter.postgresMigrations
        case "notification":
            files = [File(name: "notification.sqlite", migrations: InboxStore.migrations)]
            postgres = InboxStore.postgresMigrations
        default:
            throw ValidationError("--service \(service): expected intake, review, payment-channel or notification")
        }
    }
}
