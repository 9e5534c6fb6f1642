import Dispatch
import GRDB
import RefundMeshTracing
import Synchronization

/// Group commit: the store's writes, queued by many tasks at once, run on the writer connection
/// in batches, each batch one SQLite transaction with one commit (one fsync with
/// `synchronous=FULL`) for all of them.
///
/// Each write keeps its own all-or-nothing: it runs in a savepoint of the batch's transaction,
/// and a write that throws is rolled back to its savepoint while the others go on. No write's
/// caller hears back before the batch has committed, so a returned write is as durable as a
/// transaction of its own. Within a batch, writes run one after another in the order they were
/// queued and each sees the ones before it, exactly as if each had committed alone.
///
/// A batch forms by itself: while one commit waits for the disk, the writes queued meanwhile
/// wait for the next. Under no load each write is a batch of one, which runs without a
/// savepoint, as a transaction of its own.
///
/// **Bookkeeping writes.** A write queued with `syncing: false` (an outbox relay's delivered
/// marks: ``Store/writeBookkeeping(_:)``) still commits before it returns, but a batch made only of
/// such writes commits with `synchronous = NORMAL`: into the write-ahead log without waiting for
/// an fsync. It survives a crash of the process (the log is in the kernel's page cache); a power
/// loss can undo it until the next syncing commit, whose fsync of the log makes every frame
/// before it durable too. A batch with any other write commits as the store is configured.
final class GroupCommit: Sendable {
    /// What a queued write did: whether its work succeeded, and how to tell its caller once the
    /// batch's fate is known (nil: committed; otherwise why the batch was lost).
    struct Reply: Sendable {
        var succeeded: Bool
        var finish: @Sendable ((any Error)?) -> Void
    }

    /// One queued write: `run` does its work on the batch's connection, in a savepoint or not;
    /// `fail` answers it without running it (the batch could not start).
    struct Queued: Sendable {
        var run: @Sendable (Database, _ inSavepoint: Bool) -> Reply
        var fail: @Sendable (any Error) -> Void
        /// False for a bookkeeping write, whose batch need not wait for an fsync if all of it is.
        var syncing: Bool
    }

    private struct State {
        var queue: [Queued] = []
        var scheduled = false
        var statistics = Store.CommitStatistics()
        /// The writer's `synchronous` is NORMAL for a bookkeeping batch and not yet set back.
        var synchronousRelaxed = false
    }

    private let pool: DatabasePool
    private let batchLimit: Int
    /// The store's `PRAGMA synchronous`, restored after a batch of bookkeeping writes; nil when
    /// it is already NORMAL (nothing to relax).
    private let restoreSynchronous: String?
    private let state = Mutex(State())
    private let onBatch: @Sendable (Database, _ writes: Int, _ synced: Bool) -> Void

    /// - Parameters:
    ///   - pool: The pool whose writer runs the batches.
    ///   - batchLimit: The most writes one transaction takes.
    ///   - onBatch: Called on the writer after each committed batch, with its size and whether its
    ///     commit waited for an fsync.
    ///   - synchronous: The store's `PRAGMA synchronous`, which batches of bookkeeping writes relax.
    init(
        pool: DatabasePool,
        batchLimit: Int,
        synchronous: Store.Configuration.Synchronous,
        onBatch: @escaping @Sendable (Database, _ writes: Int, _ synced: Bool) -> Void
    ) {
        self.pool = pool
        self.batchLimit = max(1, batchLimit)
        self.restoreSynchronous = synchronous == .normal ? nil : "PRAGMA synchronous = \(synchronous.rawValue)"
        self.onBatch = onBatch
    }

    /// Commits and writes so far.
    var statistics: Store.CommitStatistics { state.withLock { $0.statistics } }

    /// Writes queued and not yet taken into a batch.
    var queuedCount: Int { state.withLock { $0.queue.count } }

    /// Runs `updates` in the next batch and returns its result once that batch has committed.
    /// Once queued it runs, whatever happens to the calling task. A `DatabaseError` becomes a
    /// ``StoreError``. With `syncing: false` it is a bookkeeping write (above).
    func write<T: Sendable>(syncing: Bool = true, _ updates: @Sendable (Database) throws -> T) async throws -> T {
        try await withoutActuallyEscaping(updates) { updates in
            // The queue holds the box, and the box lets go of `updates` as soon as it has run (or
            // cannot run): the caller's closure must not outlive its call.
            let box = UpdatesBox(updates)
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let queued = Queued(
                    run: { db, inSavepoint in
                        let result = box.run(db, inSavepoint: inSavepoint)
                        let succeeded = if case .success = result { true } else { false }
                        return Reply(succeeded: succeeded) { batchError in
                            if succeeded, let batchError {
                                continuation.resume(throwing: batchError)
                            } else {
                                continuation.resume(with: result)
                            }
                        }
                    },
                    fail: { error in
                        box.discard()
                        continuation.resume(throwing: error)
                    },
                    syncing: syncing
                )
                let schedule = state.withLock { state in
                    state.queue.append(queued)
                    defer { state.scheduled = true }
                    return !state.scheduled
                }
                if schedule { scheduleBatch() }
            }
        }
    }

    /// Runs the next batch on GRDB's writer queue. One batch per turn of that queue, so other
    /// users of the pool's writer (backups, direct pool writes) get their turn under load.
    private func scheduleBatch() {
        pool.asyncWriteWithoutTransaction { [self] db in
            let batch: [Queued] = state.withLock { state in
                let count = min(state.queue.count, batchLimit)
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return batch
            }
            run(batch, db)
            let more = state.withLock { state in
                state.scheduled = !state.queue.isEmpty
                return state.scheduled
            }
            if more { scheduleBatch() }
        }
    }

    /// Runs `batch` in one transaction (or more, if one is lost midway) and answers every write.
    private func run(_ batch: [Queued], _ db: Database) {
        guard let restoreSynchronous else { return runTransactions(batch, db, syncing: true) }
        // A relaxed batch whose pragma could not be set back: no write may commit before it is.
        if state.withLock({ $0.synchronousRelaxed }) {
            do {
                try db.execute(sql: restoreSynchronous)
                state.withLock { $0.synchronousRelaxed = false }
            } catch {
                let failure = StoreError(
                    code: .database,
                    message: "could not set \(restoreSynchronous) again after a bookkeeping commit: \(error)"
                )
                for queued in batch { queued.fail(failure) }
                return
            }
        }
        // Only bookkeeping: commit without waiting for the disk. The pragma acts when its
        // statement is prepared, so it is executed afresh each time, not from a cached statement.
        guard !batch.contains(where: \.syncing) else { return runTransactions(batch, db, syncing: true) }
        state.withLock { $0.synchronousRelaxed = true }
        let relaxed = (try? db.execute(sql: "PRAGMA synchronous = NORMAL")) != nil
        runTransactions(batch, db, syncing: !relaxed)
        if (try? db.execute(sql: restoreSynchronous)) != nil {
            state.withLock { $0.synchronousRelaxed = false }
        }
    }

    private func runTransactions(_ batch: [Queued], _ db: Database, syncing: Bool) {
        var next = 0
        while next < batch.count {
            let inSavepoint = batch.count - next > 1
            // Whatever an earlier, rolled back transaction noted is moot.
            _ = OutboxEnqueueMarks.take(db)
            do {
                // IMMEDIATE takes the write lock up front, so another process writing the same
                // file makes us wait (busy timeout) instead of failing a read-then-write upgrade.
                try db.beginTransaction(.immediate)
            } catch {
                let failure = Self.storeError(error)
                for queued in batch[next...] { queued.fail(failure) }
                return
            }
            var replies: [Reply] = []
            replies.reserveCapacity(batch.count - next)
            while next < batch.count {
                replies.append(batch[next].run(db, inSavepoint))
                next += 1
                // A write that ended the whole transaction (an I/O error, a full disk, its own
                // ROLLBACK) took the writes before it along: they are lost, and say so.
                if !db.isInsideTransaction { break }
            }
            let batchError: (any Error)?
            if !db.isInsideTransaction {
                batchError = StoreError(
                    code: .database,
                    message: "lost: a write grouped into the same transaction ended it (\(replies.count) writes)"
                )
            } else if !inSavepoint && !replies[0].succeeded {
                // A write of its own that failed: nothing of it may commit.
                try? db.rollback()
                batchError = nil
            } else {
                do {
                    try db.commit()
                    batchError = nil
                    let writes = replies.count
                    state.withLock { state in
                        state.statistics.commits += 1
                        state.statistics.writes += writes
                        if !syncing { state.statistics.unsyncedCommits += 1 }
                    }
                    onBatch(db, writes, syncing)
                } catch {
                    try? db.rollback()
                    batchError = Self.storeError(error)
                }
            }
            answer(replies, batchError)
        }
    }

    /// Resumes the writers of a finished transaction off the writer's thread: waking a task
    /// (an enqueue on its executor, often a system call) cost the writer about a tenth of its
    /// time at 30k writes/s, time the next group's statements can use instead.
    private func answer(_ replies: [Reply], _ batchError: (any Error)?) {
        guard replies.count > 1 else {
            for reply in replies { reply.finish(batchError) }
            return
        }
        Self.answering.async {
            for reply in replies { reply.finish(batchError) }
        }
    }

    private static let answering = DispatchQueue(label: "refundmesh.store.group-commit.answers")

    private static func storeError(_ error: any Error) -> any Error {
        (error as? DatabaseError).map(StoreError.init) ?? error
    }
}

/// Holds a write's closure until it has run, then lets go of it.
///
/// The closure runs on the writer's queue, outside the writing task, so the task's
/// ``TraceID`` (which ``Outbox/enqueue(_:eventID:destination:kind:payload:now:traceID:)`` reads)
/// is carried over.
private final class UpdatesBox<T: Sendable>: @unchecked Sendable {
    // @unchecked: `updates` is set at creation and taken once, on the writer's queue.
    private var updates: (@Sendable (Database) throws -> T)?
    private let traceID = TraceID.current

    init(_ updates: @escaping @Sendable (Database) throws -> T) {
        self.updates = updates
    }

    /// Runs the closure (in a savepoint if asked) and lets go of it.
    func run(_ db: Database, inSavepoint: Bool) -> Result<T, any Error> {
        guard let updates = take() else {
            return .failure(StoreError(code: .database, message: "a grouped write ran twice"))
        }
        return Result {
            try TraceID.$current.withValue(traceID) {
                try StoreError.mapping {
                    guard inSavepoint else { return try updates(db) }
                    // Prepared once per connection and stepped directly: a group runs hundreds.
                    try db.step("SAVEPOINT grouped_write", [])
                    do {
                        let value = try updates(db)
                        try db.step("RELEASE SAVEPOINT grouped_write", [])
                        return value
                    } catch {
                        // Undo this write only, if the transaction is still there to undo it in.
                        if db.isInsideTransaction {
                            try db.step("ROLLBACK TO SAVEPOINT grouped_write", [])
                            try db.step("RELEASE SAVEPOINT grouped_write", [])
                        }
                        throw error
                    }
                }
            }
        }
    }

    func discard() {
        _ = take()
    }

    private func take() -> (@Sendable (Database) throws -> T)? {
        defer { updates = nil }
        return updates
    }
}
