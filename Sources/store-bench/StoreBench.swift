import ArgumentParser
import Foundation
import GRDB
import Histogram
import Logging
import NIOCore
import NIOPosix
import RefundMeshStore

/// `store-bench`: durable state changes per second on one RefundMesh store.
///
/// N writers each keep one ``Store/write(_:)`` in flight, as a service's handlers do under load.
/// Each write is one state change as the services make them: a refund row upserted and an
/// ``Outbox`` message enqueued, in one all-or-nothing write. Run it with `--group-limit 1` for
/// the rate without group commit (one transaction, so one fsync, per change); docs/PERFORMANCE.md.
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

    @Flag(help: "Print one JSON line instead of the report.")
    var json = false

    func validate() throws {
        guard writers >= 1 else { throw ValidationError("--writers must be at least 1") }
        guard duration > 0 else { throw ValidationError("--duration must be above 0") }
        guard groupLimit >= 1 else { throw ValidationError("--group-limit must be at least 1") }
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
        let folder = URL(fileURLWithPath: directory).appendingPathComponent("store-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "store-bench")
        logger.logLevel = .warning
        let store = try Store(
            configuration: Store.Configuration(
                path: folder.appendingPathComponent("bench.sqlite").path,
                synchronous: Store.Configuration.Synchronous(rawValue: synchronous.uppercased())!,
                groupCommitLimit: groupLimit
            ),
            migrations: [Self.schema],
            logger: logger
        )
        defer { try? store.close() }

        let start = ContinuousClock.now
        let measureStart = start + .seconds(warmup)
        let measureEnd = measureStart + .seconds(duration)
        let payload = [UInt8](repeating: 0xA5, count: 64)
        let results = try await withThrowingTaskGroup(
            of: (Histogram<UInt64>, Int).self,
            returning: (Histogram<UInt64>, Int, Store.CommitStatistics).self
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
                        let id = "r-\(writer)-\(sequence % 64)"
                        let eventID = "e-\(writer)-\(sequence)"
                        let amount = sequence
                        try await store.write { db in
                            try db.cachedStatement(
                                sql: """
                                    INSERT INTO refunds (id, state, amount, updated_at) VALUES (?, 'approved', ?, ?)
                                    ON CONFLICT (id) DO UPDATE SET state = excluded.state, amount = excluded.amount,
                                        updated_at = excluded.updated_at
                                    """
                            ).execute(arguments: [id, amount, Int64(Date().timeIntervalSince1970 * 1000)])
                            try Outbox.enqueue(
                                db,
                                eventID: eventID,
                                destination: "notification",
                                kind: "Publish",
                                payload: payload
                            )
                        }
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
            let atStart = store.commitStatistics
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
        let after = store.commitStatistics
        let (histogram, changes, before) = results
        let commits = after.commits - before.commits
        let writes = after.writes - before.writes
        func micros(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1000 }
        let report = Report(
            changesPerSecond: Double(changes) / duration,
            commitsPerSecond: Double(commits) / duration,
            writesPerCommit: commits > 0 ? Double(writes) / Double(commits) : 0,
            p50Micros: micros(50),
            p99Micros: micros(99),
            maxMicros: Double(histogram.max) / 1000,
            changes: changes,
            writers: writers,
            synchronous: synchronous.uppercased(),
            groupLimit: groupLimit,
            durationSeconds: duration
        )
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(
                """
                store-bench: \(writers) writers, synchronous=\(report.synchronous), group limit \(groupLimit), \(duration) s
                  durable changes/s: \(Int(report.changesPerSecond))
                  commits/s:         \(Int(report.commitsPerSecond)) (\(String(format: "%.1f", report.writesPerCommit)) writes per commit)
                  write latency:     p50 \(report.p50Micros) µs, p99 \(report.p99Micros) µs, max \(report.maxMicros) µs
                """
            )
        }
    }

    struct Report: Encodable {
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

        enum CodingKeys: String, CodingKey {
            case changesPerSecond = "changes_per_s"
            case commitsPerSecond = "commits_per_s"
            case writesPerCommit = "writes_per_commit"
            case p50Micros = "p50_us"
            case p99Micros = "p99_us"
            case maxMicros = "max_us"
            case changes, writers, synchronous
            case groupLimit = "group_limit"
            case durationSeconds = "duration_s"
        }
    }
}
