import Foundation
import GRDB
import RefundMeshTracing

/// The transactional outbox: cross-service messages written in the same SQLite transaction as
/// the state change that causes them, then delivered by an ``OutboxRelay``.
///
/// Because the message and the change commit together, a crash at any point leaves either both
/// or neither; the relay delivers what committed at least once, and receivers make that exactly
/// once in effect by deduplicating on ``OutboxMessage/eventID`` with ``ProcessedEvents``.
public enum Outbox {
    static let tableName = "outbox_messages"

    /// Adds a message to the outbox inside the caller's write transaction, on either engine.
    ///
    /// Idempotent on `eventID`: if a message with that id is already stored (pending, or
    /// delivered and not yet pruned), nothing is added and it returns false. After the
    /// transaction commits, a relay in the same process is woken (``Store/outboxCommits()``).
    /// - Parameters:
    ///   - db: The connection of the current ``Store/write(_:)`` transaction.
    ///   - eventID: A unique id for the event (e.g. a UUID or `refund.id` + step); not empty.
    ///   - destination: The peer service, e.g. `notification`; not empty.
    ///   - kind: What it is, e.g. the RPC method the relay will call.
    ///   - payload: The serialized request.
    ///   - orderingKey: What must stay in order: messages to one destination with the same key
    ///     are delivered one at a time in enqueue order, and a failing one holds back the later
    ///     ones; different keys are delivered side by side. Use the entity the messages are about
    ///     (a refund's id). Nil (the default) orders the message with every other nil-key message
    ///     to the destination.
    ///   - now: The enqueue time (tests may pin it).
    ///   - traceID: The trace to deliver it under; by default the current task's ``TraceID``.
    /// - Returns: True if the message was added, false if `eventID` was already there.
    /// - Precondition: `db` is inside a transaction.
    @discardableResult
    public static func enqueue(
        _ db: some SQLSession,
        eventID: String,
        destination: String,
        kind: String,
        payload: [UInt8],
        orderingKey: String? = nil,
        now: Date = Date(),
        traceID: String? = TraceID.current
    ) throws -> Bool {
        let millis = now.storeMillis
        let trace = TraceID.validated(traceID)
        guard let database = db as? Database else {
            // PostgreSQL: the insert, and the NOTIFY that wakes the replicas' relays only if it
            // inserted; listeners hear it at commit, and not at all if the transaction rolls back.
            return try !db.rows(
                postgresEnqueueSQL,
                [eventID, destination, kind, payload, millis, millis, trace, orderingKey, postgresChannel]
            ).isEmpty
        }
        precondition(database.isInsideTransaction, "Outbox.enqueue must run inside the transaction of the state change")
        // A cached statement, bound and stepped directly: enqueue is on every state change's path.
        let inserted = try database.run(
            """
            INSERT INTO outbox_messages
                (event_id, destination, kind, payload, created_at, attempts, next_attempt_at, trace_id, ordering_key)
            VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)
            ON CONFLICT (event_id) DO NOTHING
            """,
            [eventID, destination, kind, payload, millis, millis, trace, orderingKey]
        )
        guard inserted > 0 else { return false }
        OutboxEnqueueMarks.mark(database)
        return true
    }

    /// The stored message with this event id, pending or delivered; nil if absent or pruned.
    public static func message(_ db: some SQLSession, eventID: String) throws -> OutboxMessage? {
        try db.row("SELECT * FROM outbox_messages WHERE event_id = ?", [eventID]).map(OutboxMessage.init(row:))
    }

    /// Pending messages in delivery order (by destination, then id).
    /// - Parameters:
    ///   - destination: Only this destination; nil for all.
    ///   - limit: At most this many.
    public static func pending(
        _ db: some SQLSession,
        destination: String? = nil,
        limit: Int = 100
    ) throws -> [OutboxMessage] {
        let rows =
            if let destination {
                try db.rows(
                    "SELECT * FROM outbox_messages WHERE delivered_at IS NULL AND destination = ? ORDER BY id LIMIT ?",
                    [destination, limit]
                )
            } else {
                try db.rows(
                    "SELECT * FROM outbox_messages WHERE delivered_at IS NULL ORDER BY destination, id LIMIT ?",
                    [limit]
                )
            }
        return try rows.map(OutboxMessage.init(row:))
    }

    /// Backlog figures for metrics: pending and failing counts, age of the oldest pending.
    /// - Parameters:
    ///   - destination: Only this destination; nil for all.
    ///   - now: The instant ages are measured from.
    public static func stats(_ db: Database, destination: String? = nil, now: Date = Date()) throws -> OutboxStats {
        let filter = destination == nil ? "" : "AND destination = ?"
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) AS pending, COALESCE(SUM(attempts > 0), 0) AS failing, MIN(created_at) AS oldest
                FROM outbox_messages WHERE delivered_at IS NULL \(filter)
                """,
            arguments: destination.map { [$0] } ?? []
        )
        let oldest: Int64? = row?["oldest"]
        return OutboxStats(
            pendingCount: row?["pending"] ?? 0,
            failingCount: row?["failing"] ?? 0,
            oldestPendingAge: oldest.map { .milliseconds(max(0, now.storeMillis - $0)) }
        )
    }

    /// ``stats(_:destination:now:)`` for every destination with pending messages, in one query.
    public static func backlogByDestination(_ db: Database, now: Date = Date()) throws -> [String: OutboxStats] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT destination, COUNT(*) AS pending, COALESCE(SUM(attempts > 0), 0) AS failing,
                       MIN(created_at) AS oldest
                FROM outbox_messages WHERE delivered_at IS NULL GROUP BY destination
                """
        )
        var backlog: [String: OutboxStats] = [:]
        for row in rows {
            let oldest: Int64? = row["oldest"]
            backlog[row["destination"]] = OutboxStats(
                pendingCount: row["pending"],
                failingCount: row["failing"],
                oldestPendingAge: oldest.map { .milliseconds(max(0, now.storeMillis - $0)) }
            )
        }
        return backlog
    }

    /// Pending messages, oldest first, for operators (`refundctl outbox`).
    /// - Parameters:
    ///   - destination: Only this destination; nil for all.
    ///   - failingOnly: Only messages that failed at least once.
    ///   - limit: At most this many.
    public static func oldestPending(
        _ db: Database,
        destination: String? = nil,
        failingOnly: Bool = false,
        limit: Int = 20
    ) throws -> [OutboxMessage] {
        var conditions = ["delivered_at IS NULL"]
        var arguments: StatementArguments = []
        if let destination {
            conditions.append("destination = ?")
            arguments += [destination]
        }
        if failingOnly { conditions.append("attempts > 0") }
        arguments += [limit]
        return try OutboxMessage.fetchAll(
            db,
            sql: "SELECT * FROM outbox_messages WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?",
            arguments: arguments
        )
    }

    /// Pending messages that have waited longer than `threshold` since they were enqueued,
    /// oldest first: the ones an operator should look at (a peer down, a payload it rejects).
    /// - Parameters:
    ///   - threshold: Minimum age.
    ///   - now: The instant ages are measured from.
    ///   - limit: At most this many.
    public static func stuck(
        _ db: Database,
        olderThan threshold: Duration,
        now: Date = Date(),
        limit: Int = 100
    ) throws -> [OutboxMessage] {
        let cutoff = now.storeMillis - Int64(threshold.storeSeconds * 1000)
        return try OutboxMessage.fetchAll(
            db,
            sql: "SELECT * FROM outbox_messages WHERE delivered_at IS NULL AND created_at <= ? ORDER BY id LIMIT ?",
            arguments: [cutoff, limit]
        )
    }

    /// Deletes delivered messages delivered before `cutoff`; returns how many.
    ///
    /// Enqueue is idempotent on event id only while the delivered row is kept: once pruned, the
    /// same event id would be accepted again. Receivers still deduplicate, so that costs a
    /// redundant delivery at worst; keep the retention longer than any sender retries.
    @discardableResult
    public static func pruneDelivered(_ db: Database, deliveredBefore cutoff: Date) throws -> Int {
        try db.execute(
            sql: "DELETE FROM outbox_messages WHERE delivered_at IS NOT NULL AND delivered_at < ?",
            arguments: [cutoff.storeMillis]
        )
        return db.changesCount
    }
}
