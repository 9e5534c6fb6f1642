import ArgumentParser
import Foundation
import GRDB
import Histogram
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import RefundMeshPostgres
import RefundMeshStore

/// `store-bench`: durable state changes per second on one RefundMesh store.
///
/// N writers each keep one ``Store/write(_:)`` in flight, as a service's handlers do under load.
/// Each write is one state change as the services make them: a refund row upserted and an
/// ``Outbox`` message enqueued, in one all-or-nothing write. Run it with `--group-limit 1` for
/// the rate without group commit (one transaction, so one fsync, per change); with `--postgres URL`
/// the same changes go to PostgreSQL instead (``RefundMeshPostgres``: one transaction per change,
/// `synchronous_commit` on, the server grouping concurrent commits into one WAL flush);
/// docs/PERFORMANCE.md, docs/SCALING.md.
@main
struct StoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-bench",
        abstract: "Durable state changes per second on one store (SQLite WAL, group commit)."
    )

    @Option(help: "Folder for the database file (a fresh file is made in it and removed after).")
    var directory: String = FileManager.default.temporaryDirectory.path

    @Option(help: "Concurrent writers, each with one write in flight.")
    var writers: Int = 256

    @Option(help: "Measured seconds, after the warm-up.")
    var duration: Double = 10

    @Option(help: "Warm-up seconds (not measured).")
    var warmup: Double = 1

    @Option(help: "PRAGMA synchronous: FULL (fsync at each commit, the money-moving stores') or NORMAL.")
    var synchronous: String = "FULL"

    @Option(help: "The most writes one group commit takes; 1 commits every change on its own.")
    var groupLimit: Int = 256

    @Option(help: "Log pages before a checkpoint (PRAGMA wal_autocheckpoint; SQLite's own default is 1000).")
    var walAutocheckpoint: Int = Store.Configuration(path: "").walAutocheckpointPages

    @Option(
        help: """
            Measure PostgreSQL instead of SQLite: a server URL (postgres://USER@HOST:PORT/DB?sslmode=disable). \
            A fresh database is made on that server and dropped after.
            """
    )
    var postgres: String?

    @Option(help: "PostgreSQL connections the writers share (with --postgres).")
    var connections: Int = 32

    @Flag(help: "Print one JSON line instead of the report.")
    var json = false

    func validate() throws {
        guard writers >= 1 else { throw ValidationError("--writers must be at least 1") }
        guard duration > 0 else { throw ValidationError("--duration must be above 0") }
        guard groupLimit >= 1 else { throw ValidationError("--group-limit must be at least 1") }
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard walAutocheckpoint >= 1 else { throw ValidationError("--wal-autocheckpoint must be at least 1") }
        guard Store.Configuration.Synchronous(rawValue: synchronous.uppercased()) != nil else {
            throw ValidationError("--synchronous must be FULL or NORMAL")
        }
    }

    static let schema = StoreMigration("bench.v1.refunds") { db in
        try db.execute(
            sql: """
                CREATE TABLE refunds (
                    id TEXT PRIMARY KEY, state TEXT NOT NULL, amount INTEGER NOT NULL, updated_at INTEGER NOT NULL
                )
                """
        )
    }

    func run() async throws {
        // As the services run: NIO's event loops are Swift Concurrency's executor.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        var logger = Logger(label: "store-bench")
        logger.logLevel = .warning
        let report: Report
        if let postgres {
            report = try await runPostgres(url: postgres, logger: logger)
        } else {
            report = try await runSQLite(logger: logger)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(
                """
                store-bench: \(report.backend), \(writers) writers, synchronous=\(report.synchronous), \
                group limit \(report.groupLimit)\(report.walAutocheckpoint.map { ", checkpoint every \($0) log pages" } ?? ""), \(duration) s
                  durable changes/s: \(Int(report.changesPerSecond))
                  commits/s:         \(Int(report.commitsPerSecond)) (\(String(format: "%.1f", report.writesPerCommit)) writes per commit)
                  write latency:     p50 \(report.p50Micros) µs, p99 \(report.p99Micros) µs, max \(report.maxMicros) µs
                """
            )
        }
    }

    /// The SQLite store: group commit on one writer connection.
    func runSQLite(logger: Logger) async throws -> Report {
        let folder = URL(fileURLWithPath: directory).appendingPathComponent("store-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Store(
            configuration: Store.Configuration(
                path: folder.appendingPathComponent("bench.sqlite").path,
                synchronous: Store.Configuration.Synchronous(rawValue: synchronous.uppercased())!,
                groupCommitLimit: groupLimit,
                walAutocheckpointPages: walAutocheckpoint
            ),
            migrations: [Self.schema],
            logger: logger
        )
        defer { try? store.close() }
        let payload = [UInt8](repeating: 0xA5, count: 64)
        let counters: @Sendable () async throws -> (Int, Int) = {
            (store.commitStatistics.commits, store.commitStatistics.writes)
        }
        var report = try await measure(
            backend: "sqlite",
            synchronous: synchronous.uppercased(),
            groupLimit: groupLimit,
            commits: counters
        ) { id, eventID, amount in
            try await store.write { db in
                // Through `SQLSession`, as the services' stores write.
                try db.run(
                    """
                    INSERT INTO refunds (id, state, amount, updated_at) VALUES (?, 'approved', ?, ?)
                    ON CONFLICT (id) DO UPDATE SET state = excluded.state, amount = excluded.amount,
                        updated_at = excluded.updated_at
                    """,
                    [id, amount, Int64(Date().timeIntervalSince1970 * 1000)]
                )
                try Outbox.enqueue(db, eventID: eventID, destination: "notification", kind: "Publish", payload: payload)
            }
        }
        report.walAutocheckpoint = walAutocheckpoint
        return report
    }

    /// PostgreSQL: one transaction per change on a pool of `connections`; the server's WAL
    /// flushes (`pg_stat_wal.wal_sync`) are the commits that reach the disk.
    func runPostgres(url: String, logger: Logger) async throws -> Report {
        var admin = try PostgresStore.Configuration(url: url, applicationName: "store-bench")
        admin.maximumConnections = 1
        let name = "store_bench_\(UInt32.random(in: 0...UInt32.max))"
        var configuration = admin
        configuration.database = name
        configuration.maximumConnections = connections
        let adminStore = PostgresStore(configuration: admin, logger: logger)
        let store = PostgresStore(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self, returning: Report.self) { group in
            group.addTask { try await adminStore.run() }
            defer { group.cancelAll() }
            try await adminStore.withConnection { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            }
            group.addTask { try await store.run() }
            do {
                try await store.migrate([
                    PostgresMigration(
                        "bench.v1.refunds",
                        [
                            """
                            CREATE TABLE refunds (
                                id TEXT PRIMARY KEY, state TEXT NOT NULL, amount BIGINT NOT NULL, updated_at BIGINT NOT NULL
                            )
                            """
                        ]
                    )
                ])
                let payload = [UInt8](repeating: 0xA5, count: 64)
                let synchronousCommit = try await store.withConnection { connection in
                    try await connection.query("SHOW synchronous_commit", logger: logger).collect().first?
                        .decode(String.self) ?? "?"
                }
                let syncs = WALSyncs(store: store, logger: logger)
                let report = try await measure(
                    backend: "postgresql",
                    synchronous: "synchronous_commit=\(synchronousCommit)",
                    groupLimit: connections,
                    commits: syncs.read
                ) { id, eventID, amount in
                    try await store.transaction { connection in
                        try await connection.query(
                            """
                            INSERT INTO refunds (id, state, amount, updated_at)
                            VALUES (\(id), 'approved', \(amount), \(Int64(Date().timeIntervalSince1970 * 1000)))
                            ON CONFLICT (id) DO UPDATE SET state = excluded.state, amount = excluded.amount,
                                updated_at = excluded.updated_at
                            """,
                            logger: logger
                        )
                        try await PostgresOutbox.enqueue(
                            connection,
                            eventID: eventID,
                            destination: "notification",
                            kind: "Publish",
                            payload: payload,
                            logger: logger
                        )
                    }
                }
                try await drop(name, adminStore, logger: logger)
                return report
            } catch {
                try? await drop(name, adminStore, logger: logger)
                throw error
            }
        }
    }

    private func drop(_ name: String, _ admin: PostgresStore, logger: Logger) async throws {
        try await admin.withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger)
        }
    }

    /// The server's WAL flushes so far, as (commits, writes): PostgreSQL counts no writes per
    /// flush, so writes is left 0 and filled in from the changes.
    struct WALSyncs: Sendable {
        var store: PostgresStore
        var logger: Logger
        func read() async throws -> (Int, Int) {
            let syncs = try await store.withConnection { connection in
                try await connection.query("SELECT wal_sync FROM pg_stat_wal", logger: logger).collect().first?
                    .decode(Int64.self) ?? 0
            }
            return (Int(syncs), 0)
        }
    }

    /// Runs `writers` tasks, each with one `write` in flight, for the warm-up and then the
    /// measured seconds; `commits` reads the backend's (commits, writes) counters.
    func measure(
        backend: String,
        synchronous: String,
        groupLimit: Int,
        commits: @Sendable () async throws -> (Int, Int),
        write: @escaping @Sendable (_ id: String, _ eventID: String, _ amount: Int) async throws -> Void
    ) async throws -> Report {
        let start = ContinuousClock.now
        let measureStart = start + .seconds(warmup)
        let measureEnd = measureStart + .seconds(duration)
        let results = try await withThrowingTaskGroup(
            of: (Histogram<UInt64>, Int).self,
            returning: (Histogram<UInt64>, Int, (Int, Int)).self
        ) { group in
            for writer in 0..<writers {
                group.addTask {
                    var histogram = Histogram<UInt64>(
                        highestTrackableValue: 60_000_000_000,
                        numberOfSignificantValueDigits: .three
                    )
                    var measured = 0
                    var sequence = 0
                    while true {
                        let began = ContinuousClock.now
                        if began >= measureEnd { break }
                        sequence += 1
                        try await write("r-\(writer)-\(sequence % 64)", "e-\(writer)-\(sequence)", sequence)
                        let ended = ContinuousClock.now
                        if began >= measureStart && ended <= measureEnd {
                            measured += 1
                            let elapsed = (ended - began).components
                            histogram.record(
                                UInt64(elapsed.seconds) * 1_000_000_000 + UInt64(elapsed.attoseconds / 1_000_000_000)
                            )
                        }
                    }
                    return (histogram, measured)
                }
            }
            try await Task.sleep(until: measureStart, clock: .continuous)
            let atStart = try await commits()
            var merged = Histogram<UInt64>(
                highestTrackableValue: 60_000_000_000,
                numberOfSignificantValueDigits: .three
            )
            var total = 0
            for try await (histogram, count) in group {
                merged.add(histogram)
                total += count
            }
            return (merged, total, atStart)
        }
        let after = try await commits()
        let (histogram, changes, before) = results
        let commitCount = after.0 - before.0
        // PostgreSQL does not count writes per flush: every measured change is one.
        let writes = after.1 - before.1 > 0 ? after.1 - before.1 : changes
        func micros(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1000 }
        return Report(
            backend: backend,
            changesPerSecond: Double(changes) / duration,
            commitsPerSecond: Double(commitCount) / duration,
            writesPerCommit: commitCount > 0 ? Double(writes) / Double(commitCount) : 0,
            p50Micros: micros(50),
            p99Micros: micros(99),
            maxMicros: Double(histogram.max) / 1000,
            changes: changes,
            writers: writers,
            synchronous: synchronous,
            groupLimit: groupLimit,
            durationSeconds: duration,
            walAutocheckpoint: nil
        )
    }

    struct Report: Encodable {
        /// `sqlite` or `postgresql`.
        var backend: String
        var changesPerSecond: Double
        var commitsPerSecond: Double
        var writesPerCommit: Double
        var p50Micros: Double
        var p99Micros: Double
        var maxMicros: Double
        var changes: Int
        var writers: Int
        var synchronous: String
        var groupLimit: Int
        var durationSeconds: Double
        /// SQLite's checkpoint limit in log pages; nil on PostgreSQL.
        var walAutocheckpoint: Int?

        enum CodingKeys: String, CodingKey {
            case changesPerSecond = "changes_per_s"
            case commitsPerSecond = "commits_per_s"
            case writesPerCommit = "writes_per_commit"
            case p50Micros = "p50_us"
            case p99Micros = "p99_us"
            case maxMicros = "max_us"
            case backend, changes, writers, synchronous
            case groupLimit = "group_limit"
            case durationSeconds = "duration_s"
            case walAutocheckpoint = "wal_autocheckpoint"
        }
    }
}
