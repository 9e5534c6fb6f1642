import Foundation
import GRDB
import RefundMeshTracing

// The store's own tables through the seam: a service's store code that runs on either engine
// enqueues and deduplicates with these. On SQLite they are the functions above (a `Database` is a
// session); on PostgreSQL the same tables, shared by the replicas (`RefundMeshPostgres`).

extension Outbox {
    /// The channel PostgreSQL's enqueue notifies (its payload is the destination), so relays
    /// listening there wake when the transaction commits.
    public static let postgresChannel = "refundmesh_outbox"

    /// PostgreSQL's enqueue, one statement: the insert, and the NOTIFY on ``postgresChannel``
    /// only if it inserted (returns a row then). Arguments: event id, destination, kind, payload,
    /// created at, next attempt at, trace id, ordering key, channel.
    public static let postgresEnqueueSQL = """
        WITH inserted AS (
            INSERT INTO outbox_messages
                (event_id, destination, kind, payload, created_at, attempts, next_attempt_at, trace_id, ordering_key)
            VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)
            ON CONFLICT (event_id) DO NOTHING
            RETURNING destination
        )
        SELECT pg_notify(?, destination) FROM inserted
        """
}

extension ProcessedEvents {
    /// Claims `eventID` for `request` (the request's serialized bytes), remembering them, so that
    /// a later claim of the same id tells a replay from a different request reusing it (as
    /// payment APIs refuse an idempotency key sent with other parameters). In the transaction of
    /// the effect, on either engine.
    ///
    /// The bytes are kept in the event's stored result. Events recorded without them (before this
    /// existed) count as replays.
    public static func claim(
        _ db: some SQLSession,
        eventID: String,
        request: [UInt8],
        now: Date = Date()
    ) throws -> Claim {
        let inserted = try db.run(
            "INSERT INTO processed_events (event_id, processed_at, result) VALUES (?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
            [eventID, now.storeMillis, request]
        )
        if inserted > 0 { return .first }
        let stored = try db.value([UInt8].self, "SELECT result FROM processed_events WHERE event_id = ?", [eventID])
        guard let stored, stored != request else { return .replay }
        return .conflict(stored: stored)
    }

    /// Applies `effect` once per `eventID`: the first call claims the id, runs `effect` and
    /// stores its result; later calls skip `effect` and return the stored result.
    ///
    /// If `effect` throws, the error propagates and the caller's transaction rolls back,
    /// claim included.
    /// - Parameters:
    ///   - db: The connection of the current transaction (``Store/write(_:)``, ``ServiceDatabase/write(_:)``).
    ///   - eventID: The event id or idempotency key.
    ///   - now: The processing time.
    ///   - effect: Applies the change and returns the response bytes.
    public static func once(
        _ db: some SQLSession,
        eventID: String,
        now: Date = Date(),
        _ effect: () throws -> [UInt8]
    ) throws -> Outcome {
        let inserted = try db.run(
            "INSERT INTO processed_events (event_id, processed_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING",
            [eventID, now.storeMillis]
        )
        guard inserted > 0 else {
            return .replayed(
                try db.value([UInt8].self, "SELECT result FROM processed_events WHERE event_id = ?", [eventID])
            )
        }
        let result = try effect()
        try db.run("UPDATE processed_events SET result = ? WHERE event_id = ?", [result, eventID])
        return .performed(result)
    }
}
