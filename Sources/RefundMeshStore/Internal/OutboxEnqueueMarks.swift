import GRDB
import Synchronization

/// Which writer connections have enqueued outbox messages in their current transaction, so the
/// store can wake ``Store/outboxCommits()`` subscribers once that transaction commits.
///
/// A set of connections rather than a GRDB transaction observer: an observer makes GRDB track
/// every statement of every write, which cost about a tenth of a group commit's time.
enum OutboxEnqueueMarks {
    private static let marked = Mutex<Set<ObjectIdentifier>>([])

    /// Notes that `db`'s current transaction enqueued a message.
    static func mark(_ db: Database) {
        _ = marked.withLock { $0.insert(ObjectIdentifier(db)) }
    }

    /// Whether `db`'s transaction enqueued a message since the last call; clears the note.
    static func take(_ db: Database) -> Bool {
        marked.withLock { $0.remove(ObjectIdentifier(db)) != nil }
    }
}
