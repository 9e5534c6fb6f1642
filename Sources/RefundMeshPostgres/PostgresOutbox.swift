import Foundation
import Logging
import PostgresNIO
import RefundMeshStore
import RefundMeshTracing

/// The transactional outbox on PostgreSQL: the same table and guarantees as the SQLite
/// ``RefundMeshStore/Outbox``, shared by every replica of a service.
///
/// A replica's relay **claims** the messages it will deliver (``claim(_:destinations:replica:lease:limit:now:)``):
/// the claim locks candidate rows with `FOR UPDATE SKIP LOCKED`, so replicas claiming at the same
/// moment take different rows instead of waiting for each other, and marks them with the
/// replica's name and a lease. Only the oldest pending message of each ordering key can be
/// claimed, so a key's messages are still delivered one at a time in enqueue order, whichever
/// replica delivers them. A replica that dies mid-delivery leaves its claims to expire; another
/// replica then delivers those messages again (at least once; receivers deduplicate on the
/// event id).
public enum PostgresOutbox {
    /// The channel `NOTIFY` wakes relays on when a transaction that enqueued commits; the payload
    /// is the destination.
    public static let channel = Outbox.postgresChannel

    /// Adds a message inside the caller's transaction; idempotent on `eventID` (false if it was
    /// already there). Relays listening on ``channel`` are woken when the transaction commits.
    @discardableResult
    public static func enqueue(
        _ connection: PostgresConnection,
        eventID: String,
        destination: String,
        kind: String,
        payload: [UInt8],
        orderingKey: String? = nil,
        now: Date = Date(),
        traceID: String? = TraceID.current,
        logger: Logger
    ) async throws -> Bool {
        let millis = now.millisecondsSince1970
        let arguments: [any SQLBindable] = [
            eventID, destination, kind, payload, millis, millis, TraceID.validated(traceID), orderingKey, channel,
        ]
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: PlaceholderNumbering.numbered(Outbox.postgresEnqueueSQL),
                binds: PostgresSession.bindings(arguments)
            ),
            logger: logger
        )
        return try await rows.count() > 0
    }

    /// The stored message with this event id, pending or delivered; nil if absent or pruned.
    public static func message(
        _ connection: PostgresConnection,
        eventID: String,
        logger: Logger
    ) async throws
        -> OutboxMessage?
    {
        try await messages(
            connection,
            "SELECT \(unescaped: columns) FROM outbox_messages WHERE event_id = \(eventID)",
            logger: logger
        ).first
    }

    /// Claims up to `limit` messages for `replica` until `now + lease`: the oldest pending message
    /// of each ordering key that is due, not claimed by a live lease, and not locked by another
    /// replica's claim in progress. In delivery order (by id).
    /// - Parameters:
    ///   - destinations: Only these; nil for all.
    ///   - replica: This replica's name (recorded in `claimed_by`, and required to record a failure).
    ///   - lease: How long the claim holds; longer than a delivery takes.
    public static func claim(
        _ connection: PostgresConnection,
        destinations: Set<String>?,
        replica: String,
        lease: Duration,
        limit: Int,
        now: Date = Date(),
        logger: Logger
    ) async throws -> [OutboxMessage] {
        let millis = now.millisecondsSince1970
        let until = millis + lease.milliseconds
        let only = destinations.map { Array($0).sorted() }
        return try await messages(
            connection,
            """
            WITH heads AS (
                SELECT m.id FROM outbox_messages AS m
                WHERE m.delivered_at IS NULL AND m.next_attempt_at <= \(millis)
                  AND (m.claimed_until IS NULL OR m.claimed_until <= \(millis))
                  AND (\(only)::text[] IS NULL OR m.destination = ANY(\(only)::text[]))
                  AND NOT EXISTS (
                    SELECT 1 FROM outbox_messages AS e
                    WHERE e.delivered_at IS NULL AND e.destination = m.destination
                      AND e.ordering_key IS NOT DISTINCT FROM m.ordering_key AND e.id < m.id
                  )
                ORDER BY m.id
                LIMIT \(limit)
                FOR UPDATE OF m SKIP LOCKED
            )
            UPDATE outbox_messages AS o SET claimed_by = \(replica), claimed_until = \(until)
            FROM heads WHERE o.id = heads.id
            RETURNING o.id, o.event_id, o.destination, o.kind, o.payload, o.created_at, o.attempts,
                o.next_attempt_at, o.last_error, o.delivered_at, o.trace_id, o.ordering_key
            """,
            logger: logger
        ).sorted { $0.id < $1.id }
    }

    /// Marks messages delivered and lets go of their claims. Recorded whoever holds the claim
    /// now: the delivery happened.
    public static func markDelivered(
        _ connection: PostgresConnection,
        ids: [Int64],
        now: Date = Date(),
        logger: Logger
    ) async throws {
        guard !ids.isEmpty else { return }
        try await connection.query(
            """
            UPDATE outbox_messages SET delivered_at = \(now.millisecondsSince1970), claimed_until = NULL
            WHERE id = ANY(\(ids)) AND delivered_at IS NULL
            """,
            logger: logger
        )
    }

    /// Records a failed attempt of a message `replica` still holds: one more attempt, the error,
    /// when to try again, and the claim let go. A claim another replica has taken over since is
    /// left alone. Returns whether it was recorded.
    @discardableResult
    public static func recordFailure(
        _ connection: PostgresConnection,
        id: Int64,
        replica: String,
        error: String,
        nextAttemptAt: Date,
        logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE outbox_messages
            SET attempts = attempts + 1, last_error = \(error), next_attempt_at = \(nextAttemptAt.millisecondsSince1970),
                claimed_by = NULL, claimed_until = NULL
            WHERE id = \(id) AND delivered_at IS NULL AND claimed_by = \(replica)
            RETURNING id
            """,
            logger: logger
        )
        return try await rows.count() > 0
    }

    /// Extends `replica`'s claims on the undelivered `ids` to `now + lease`; returns how many it
    /// still held.
    @discardableResult
    public static func renew(
        _ connection: PostgresConnection,
        ids: [Int64],
        replica: String,
        lease: Duration,
        now: Date = Date(),
        logger: Logger
    ) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let until = now.millisecondsSince1970 + lease.milliseconds
        return try await connection.query(
            """
            UPDATE outbox_messages SET claimed_until = \(until)
            WHERE id = ANY(\(ids)) AND delivered_at IS NULL AND claimed_by = \(replica)
            RETURNING id
            """,
            logger: logger
        ).count()
    }

    /// Lets go of claims `replica` holds on messages it did not get to (shutdown): another
    /// replica may take them at once.
    public static func release(
        _ connection: PostgresConnection,
        ids: [Int64],
        replica: String,
        logger: Logger
    )
        async throws
    {
        guard !ids.isEmpty else { return }
        try await connection.query(
            """
            UPDATE outbox_messages SET claimed_by = NULL, claimed_until = NULL
            WHERE id = ANY(\(ids)) AND delivered_at IS NULL AND claimed_by = \(replica)
            """,
            logger: logger
        )
    }

    /// When the next pending message becomes due or its claim expires, after `now`; nil if none
    /// waits. The relay sleeps until then when nothing is claimable.
    public static func nextDue(
        _ connection: PostgresConnection,
        destinations: Set<String>?,
        after now: Date,
        logger: Logger
    ) async throws -> Date? {
        let only = destinations.map { Array($0).sorted() }
        let millis = now.millisecondsSince1970
        let rows = try await connection.query(
            """
            SELECT MIN(GREATEST(next_attempt_at, COALESCE(claimed_until, 0))) FROM outbox_messages
            WHERE delivered_at IS NULL AND (\(only)::text[] IS NULL OR destination = ANY(\(only)::text[]))
              AND GREATEST(next_attempt_at, COALESCE(claimed_until, 0)) > \(millis)
            """,
            logger: logger
        )
        for try await value in rows.decode(Int64?.self) {
            return value.map { Date(millisecondsSince1970: $0) }
        }
        return nil
    }

    /// Pending messages, in id order, for operators and tests.
    public static func pending(
        _ connection: PostgresConnection,
        limit: Int = 100,
        logger: Logger
    ) async throws
        -> [OutboxMessage]
    {
        try await messages(
            connection,
            "SELECT \(unescaped: columns) FROM outbox_messages WHERE delivered_at IS NULL ORDER BY id LIMIT \(limit)",
            logger: logger
        )
    }

    /// Deletes messages delivered before `cutoff`; returns how many. Enqueue is idempotent on
    /// event id only while the delivered row is kept.
    @discardableResult
    public static func pruneDelivered(
        _ connection: PostgresConnection,
        deliveredBefore cutoff: Date,
        logger: Logger
    )
        async throws -> Int
    {
        let rows = try await connection.query(
            """
            DELETE FROM outbox_messages WHERE delivered_at IS NOT NULL AND delivered_at < \(cutoff.millisecondsSince1970)
            RETURNING id
            """,
            logger: logger
        )
        return try await rows.count()
    }

    static let columns = """
        id, event_id, destination, kind, payload, created_at, attempts, next_attempt_at, last_error, delivered_at,
        trace_id, ordering_key
        """

    private static func messages(
        _ connection: PostgresConnection,
        _ query: PostgresQuery,
        logger: Logger
    ) async throws
        -> [OutboxMessage]
    {
        var result: [OutboxMessage] = []
        let rows = try await connection.query(query, logger: logger)
        for try await row in rows {
            let (id, eventID, destination, kind, payload, createdAt, attempts, nextAttemptAt) = try row.decode(
                (Int64, String, String, String, Data, Int64, Int, Int64).self
            )
            let random = row.makeRandomAccess()
            result.append(
                OutboxMessage(
                    id: id,
                    eventID: eventID,
                    destination: destination,
                    kind: kind,
                    payload: [UInt8](payload),
                    createdAt: Date(millisecondsSince1970: createdAt),
                    attempts: attempts,
                    nextAttemptAt: Date(millisecondsSince1970: nextAttemptAt),
                    lastError: try random[8].decode(String?.self),
                    deliveredAt: try random[9].decode(Int64?.self).map(Date.init(millisecondsSince1970:)),
                    traceID: try random[10].decode(String?.self),
                    orderingKey: try random[11].decode(String?.self)
                )
            )
        }
        return result
    }
}

extension Date {
    /// Whole milliseconds since 1970, as both backends store instants.
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    init(millisecondsSince1970 millis: Int64) {
        self.init(timeIntervalSince1970: Double(millis) / 1000)
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}
