import CoreMetrics
import Foundation
import GRDB
import Logging

/// A service's own SQLite database: one file, WAL, a GRDB `DatabasePool`, versioned migrations,
/// and the tables of the transactional ``Outbox`` and of ``ProcessedEvents``.
///
/// Every ``write(_:)`` is all or nothing, so a state change, the ``Outbox`` messages it causes
/// and the ``ProcessedEvents`` claim of the request that caused it commit or roll back together.
/// SQLite calls block. Writes run on GRDB's writer queue, never on the caller's thread. Reads
/// run on the caller's thread (often a handler's event loop), on one of the pool's reader
/// connections: a read whose pages are in memory takes tens of microseconds, and a hop to a
/// reader's queue and back cost more than that in thread wake-ups (docs/PERFORMANCE.md,
/// "2026-12-08").
///
/// **Group commit.** Writes that arrive while the previous commit waits for the disk are
/// committed together, in one transaction with one fsync, each in a savepoint of its own (so one
/// that throws rolls back alone), and none returns before that commit. A store with
/// `synchronous=FULL` thereby makes many more durable changes per second than it could commit
/// one by one (docs/PERFORMANCE.md), with the same guarantee for each.
///
/// After a committed write that enqueued ``Outbox`` messages, the store wakes every
/// ``outboxCommits()`` subscriber, which is how an ``OutboxRelay`` in the same process starts
/// delivering within milliseconds instead of waiting for its poll.
public final class Store: Sendable {
    /// Prefix of the migrations the store registers for its own tables; services may not use it.
    public static let reservedMigrationPrefix = "refundmesh.store."

    /// The names of the store's own migrations (outbox, processed events), in the order they run.
    /// Every other backend has a migration of each name (``RefundMeshPostgres``), so a store's
    /// schema version means the same in both.
    public static var builtInMigrationNames: [String] { StoreSchema.migrations.map(\.name) }

    /// The configuration the store was opened with.
    public let configuration: Configuration
    /// The underlying GRDB pool, for what ``read(_:)`` and ``write(_:)`` do not cover (custom
    /// transaction kinds, observation, backups). Writes made through it neither take part in
    /// group commit nor wake outbox subscribers (relays find their messages at the next poll).
    public let pool: DatabasePool
    private let migrator: DatabaseMigrator
    private let groupCommit: GroupCommit
    private let commitSignal: CommitSignal

    /// Opens (creating if needed) the database and brings its schema up to date.
    ///
    /// Runs the store's own migrations, then `migrations` in order, each once per file. Blocks
    /// while it opens and migrates: call it at startup, before the service group runs.
    /// - Parameters:
    ///   - configuration: Path and durability settings.
    ///   - migrations: The service's schema history, oldest first.
    ///   - logger: Where to log opening and applied migrations (info and below).
    /// - Throws: ``StoreError`` with ``StoreError/Code/openFailed``,
    ///   ``StoreError/Code/invalidMigration`` or ``StoreError/Code/migrationFailed``.
    public init(configuration: Configuration, migrations: [StoreMigration] = [], logger: Logger) throws {
        self.configuration = configuration
        self.migrator = try Self.makeMigrator(migrations)
        let pool = try Self.openPool(configuration)
        self.pool = pool
        let storeName = URL(fileURLWithPath: configuration.path).deletingPathExtension().lastPathComponent
        let batchSizes = Recorder(label: "refundmesh_store_commit_writes", dimensions: [("store", storeName)])
        let unsynced = Counter(label: "refundmesh_store_unsynced_commits_total", dimensions: [("store", storeName)])
        let signal = CommitSignal()
        self.commitSignal = signal
        self.groupCommit = GroupCommit(
            pool: pool,
            batchLimit: configuration.groupCommitLimit,
            synchronous: configuration.synchronous
        ) { db, size, synced in
            batchSizes.record(size)
            if !synced { unsynced.increment() }
            if OutboxEnqueueMarks.take(db) { signal.notify() }
        }

        let migrator = self.migrator
        do {
            let (applied, superseded) = try pool.read { db in
                (try migrator.appliedIdentifiers(db), try migrator.hasBeenSuperseded(db))
            }
            if superseded {
                throw StoreError(
                    code: .migrationFailed,
                    message:
                        "\(configuration.path) was migrated by a newer build (it has migrations this build does not"
                        + " know); refusing to run an older schema against it"
                )
            }
            try migrator.migrate(pool)
            let ran = try pool.read { db in try migrator.appliedMigrations(db) }.filter { !applied.contains($0) }
            logger.info(
                "store opened",
                metadata: [
                    "store.path": "\(configuration.path)",
                    "store.synchronous": "\(configuration.synchronous.rawValue)",
                    "store.migrations.applied": "\(ran.isEmpty ? "none" : ran.joined(separator: ","))",
                ]
            )
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(
                code: .migrationFailed,
                message: "migrating \(configuration.path) failed: \(error)",
                cause: error
            )
        }
    }

    /// Runs `updates` as one all-or-nothing write and returns its result once it is committed.
    ///
    /// It runs in the next group commit (a savepoint of its transaction, or a BEGIN IMMEDIATE …
    /// COMMIT of its own when it is alone). If `updates` throws, its changes roll back and the
    /// error is rethrown; a `DatabaseError` becomes a ``StoreError``. Writes run one at a time on
    /// the store's single writer connection, in the order they were made. Honors task
    /// cancellation before the write is queued; once queued it runs.
    /// - Parameter updates: The write's work. Do not keep `db` beyond the closure.
    @discardableResult
    public func write<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await groupCommit.write(updates)
    }

    /// Like ``write(_:)``, but once called the write runs even if the task is cancelled.
    ///
    /// Use it to record the outcome of something that already happened outside the database
    /// (a delivered message, a payment provider's answer): losing that record to a cancellation
    /// would make the effect happen twice.
    /// - Parameter updates: The write's work.
    @discardableResult
    public func writeIgnoringCancellation<T: Sendable>(
        _ updates: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await groupCommit.write(updates)
    }

    /// Like ``writeIgnoringCancellation(_:)``, for bookkeeping that is safe to lose on a power
    /// loss because losing it only makes something idempotent happen again: an ``OutboxRelay``'s
    /// delivered marks (a lost mark redelivers its message, and receivers deduplicate on the
    /// event id, ``ProcessedEvents``).
    ///
    /// It commits before it returns and is seen by every later read, and it survives a crash of
    /// the process. But when its group commit holds only such writes, that commit goes into the
    /// write-ahead log without waiting for an fsync (`synchronous = NORMAL` for that one commit),
    /// so a power loss can undo it until the store's next ordinary commit syncs the log. A group
    /// with any ordinary write commits as the store is configured. Never use it for a state
    /// change (money, a refund's status, an accepted request).
    /// - Parameter updates: The write's work.
    @discardableResult
    public func writeBookkeeping<T: Sendable>(
        _ updates: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await groupCommit.write(syncing: false, updates)
    }

    /// How many transactions the store's writes have committed, and how many writes they held:
    /// writes per commit is what group commit saves.
    public var commitStatistics: CommitStatistics { groupCommit.statistics }

    /// Counts of the store's committed writes since it was opened.
    public struct CommitStatistics: Sendable, Equatable {
        /// Transactions committed by ``Store/write(_:)`` and ``Store/writeIgnoringCancellation(_:)``.
        public var commits = 0
        /// Writes those transactions held (at least one each).
        public var writes = 0
        /// Those of the commits that held only bookkeeping writes (``Store/writeBookkeeping(_:)``)
        /// and did not wait for an fsync (none when the store's `synchronous` is already NORMAL).
        public var unsyncedCommits = 0

        /// Counts; zero by default.
        public init(commits: Int = 0, writes: Int = 0, unsyncedCommits: Int = 0) {
            self.commits = commits
            self.writes = writes
            self.unsyncedCommits = unsyncedCommits
        }
    }

    /// Writes queued for the next group commit (for tests).
    var queuedWriteCount: Int { groupCommit.queuedCount }

    /// Runs `value` in a read transaction on one of the pool's reader connections; it sees the
    /// last committed state and never blocks writes.
    ///
    /// It runs on the calling thread, which it holds until it is done (waiting first if every
    /// reader connection is taken), so keep reads bounded: a page of results, not a whole table.
    /// Cancellation does not interrupt it.
    /// - Parameter value: The reads. Do not keep `db` beyond the closure.
    public func read<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T {
        try StoreError.mapping { try pool.read(value) }
    }

    /// The names of the migrations applied to this file, in the order they ran.
    public func appliedMigrations() async throws -> [String] {
        let migrator = self.migrator
        return try await read { db in try migrator.appliedMigrations(db) }
    }

    /// A signal that yields after each committed ``write(_:)`` that enqueued outbox messages.
    ///
    /// Elements coalesce (a subscriber that is busy sees one pending wake-up, not one per
    /// commit). The stream ends when the store is closed; dropping it unsubscribes.
    public func outboxCommits() -> AsyncStream<Void> {
        commitSignal.subscribe()
    }

    /// Closes the database connections; later calls fail with ``StoreError``.
    ///
    /// Ends every ``outboxCommits()`` stream. Nothing needs closing for durability: whatever
    /// committed is on disk, whatever did not is rolled back when the file is next opened.
    public func close() throws {
        commitSignal.finish()
        try StoreError.mapping { try pool.close() }
    }
}

extension Store {
    private static func openPool(_ configuration: Configuration) throws -> DatabasePool {
        let directory = URL(fileURLWithPath: configuration.path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(
                code: .openFailed,
                message: "could not create the directory \(directory.path) for the database: \(error)",
                cause: error
            )
        }
        var grdb = GRDB.Configuration()
        grdb.foreignKeysEnabled = true
        grdb.journalMode = .wal
        grdb.busyMode = .timeout(configuration.busyTimeout.storeSeconds)
        grdb.maximumReaderCount = configuration.maximumReaderCount
        let synchronous = "PRAGMA synchronous = \(configuration.synchronous.rawValue)"
        // Each connection's page cache, in KiB (negative: SQLite's unit for a size). SQLite's
        // default of 2 MiB sent a service with tens of thousands of refunds to the kernel (pread)
        // for most lookups.
        let cacheSize = "PRAGMA cache_size = -\(configuration.pageCacheKiB)"
        grdb.prepareDatabase { db in
            try db.execute(sql: synchronous)
            try db.execute(sql: cacheSize)
        }
        do {
            let pool = try DatabasePool(path: configuration.path, configuration: grdb)
            // GRDB's WAL setup sets `synchronous = NORMAL` on the writer after `prepareDatabase`
            // ran, so set it again: FULL is what makes a commit survive power loss. Only the
            // writer commits, so only its checkpoint limit matters.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: synchronous)
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(configuration.walAutocheckpointPages)")
            }
            return pool
        } catch {
            throw StoreError(
                code: .openFailed,
                message: "could not open the database \(configuration.path): \(error)",
                cause: error
            )
        }
    }

    private static func makeMigrator(_ migrations: [StoreMigration]) throws -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        var seen = Set<String>()
        for migration in StoreSchema.migrations + migrations {
            guard seen.insert(migration.name).inserted else {
                throw StoreError(code: .invalidMigration, message: "migration \(migration.name) is registered twice")
            }
            migrator.registerMigration(migration.name, migrate: migration.migrate)
        }
        if let reserved = migrations.first(where: { $0.name.hasPrefix(reservedMigrationPrefix) }) {
            throw StoreError(
                code: .invalidMigration,
                message:
                    "migration \(reserved.name) uses the prefix \(reservedMigrationPrefix), which the store reserves"
            )
        }
        return migrator
    }
}
