import GRDB
import Synchronization

/// Watches the writer connection for transactions that insert into `outbox_messages` and, once
/// such a transaction has committed, fires the store's ``CommitSignal``.
///
/// GRDB calls it on the writer's dispatch queue; the flag is a `Mutex` only to make the type
/// `Sendable` (the store that owns it is).
final class OutboxCommitObserver: TransactionObserver, Sendable {
    private let sawInsert = Mutex(false)
    private let signal: CommitSignal

    init(signal: CommitSignal) {
        self.signal = signal
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let tableName) = eventKind {
            return tableName == Outbox.tableName
        }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {
        sawInsert.withLock { $0 = true }
        // One insert is enough to know; skip the rest of this transaction's rows.
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        let notify = sawInsert.withLock { flag in
            defer { flag = false }
            return flag
        }
        if notify {
            signal.notify()
        }
    }

    func databaseDidRollback(_ db: Database) {
        sawInsert.withLock { $0 = false }
    }
}
