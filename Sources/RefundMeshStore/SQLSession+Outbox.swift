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

    /// ``enqueue(_:eventID:destination:kind:payload:orderingKey:now:traceID:)`` in a transaction
    /// of either engine.
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
        if let database = db as? Database {
            return try enqueue(
                database,
                eventID: eventID,
                destination: destination,
                kind: kind,
                payload: payload,
                orderingKey: orderingKey,
                now: now,
                traceID: traceID
            )
        }
        let millis = now.storeMillis
        // The insert, and the NOTIFY only if it inserted: listeners hear it at commit, and not at
        // all if the transaction rolls back.
        let notified = try db.rows(
            """
            WITH inserted AS (
                INSERT INTO outbox_messages
                    (event_id, destination, kind, payload, created_at, attempts, next_attempt_at, trace_id, ordering_key)
                VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)
                ON CONFLICT (event_id) DO NOTHING
                RETURNING destination
            )
            SELECT pg_notify(?, destination) FROM inserted
            """,
            [
                eventID, destination, kind, payload, millis, millis, TraceID.validated(traceID), orderingKey,
                postgresChannel,
            ]
        )
        return !notified.isEmpty
    }
}

extension ProcessedEvents {
    /// ``claim(_:eventID:request:now:)`` in a transaction of either engine.
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

    /// ``once(_:eventID:now:_:)`` in a transaction of either engine.
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
