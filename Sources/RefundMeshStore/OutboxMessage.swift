import Foundation
import GRDB

/// A cross-service message waiting in (or delivered from) the transactional ``Outbox``.
public struct OutboxMessage: Sendable, Hashable {
    /// Position in the outbox; delivery order within a destination. Never reused.
    public var id: Int64
    /// The sender's unique id for this event; receivers deduplicate on it
    /// (``ProcessedEvents/claim(_:eventID:now:)``).
    public var eventID: String
    /// The peer that must receive it, e.g. `notification`.
    public var destination: String
    /// What it is, e.g. the RPC method or event type the relay's `deliver` closure dispatches on.
    public var kind: String
    /// The serialized request or event.
    public var payload: [UInt8]
    /// When it was enqueued.
    public var createdAt: Date
    /// Failed delivery attempts so far.
    public var attempts: Int
    /// Not before this instant will the relay try it (again).
    public var nextAttemptAt: Date
    /// Why the last attempt failed, if one did.
    public var lastError: String?
    /// When it was delivered; nil while pending.
    public var deliveredAt: Date?
    /// The trace it was enqueued under; the relay delivers it under the same one.
    public var traceID: String?
    /// Messages with the same key are delivered in order; nil orders with the destination's
    /// other nil-key messages (``Outbox/enqueue(_:eventID:destination:kind:payload:orderingKey:now:traceID:)``).
    public var orderingKey: String?

    /// Creates a message value (the ``Outbox`` creates the stored ones).
    public init(
        id: Int64,
        eventID: String,
        destination: String,
        kind: String,
        payload: [UInt8],
        createdAt: Date,
        attempts: Int = 0,
        nextAttemptAt: Date,
        lastError: String? = nil,
        deliveredAt: Date? = nil,
        traceID: String? = nil,
        orderingKey: String? = nil
    ) {
        self.id = id
        self.eventID = eventID
        self.destination = destination
        self.kind = kind
        self.payload = payload
        self.createdAt = createdAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.deliveredAt = deliveredAt
        self.traceID = traceID
        self.orderingKey = orderingKey
    }
}

extension OutboxMessage: FetchableRecord {
    /// Decodes a full `outbox_messages` row.
    public init(row: Row) throws {
        let payload: Data = row["payload"] ?? Data()
        let deliveredAt: Int64? = row["delivered_at"]
        self.init(
            id: row["id"],
            eventID: row["event_id"],
            destination: row["destination"],
            kind: row["kind"],
            payload: [UInt8](payload),
            createdAt: Date(storeMillis: row["created_at"]),
            attempts: row["attempts"],
            nextAttemptAt: Date(storeMillis: row["next_attempt_at"]),
            lastError: row["last_error"],
            deliveredAt: deliveredAt.map { Date(storeMillis: $0) },
            traceID: row["trace_id"],
            orderingKey: row["ordering_key"]
        )
    }
}

extension OutboxMessage {
    /// Decodes a full `outbox_messages` row read through a ``SQLSession`` (either engine).
    public init(row: SQLRow) throws {
        self.init(
            id: try row["id"],
            eventID: try row["event_id"],
            destination: try row["destination"],
            kind: try row["kind"],
            payload: try row["payload"],
            createdAt: Date(storeMillis: try row["created_at"]),
            attempts: try row["attempts"],
            nextAttemptAt: Date(storeMillis: try row["next_attempt_at"]),
            lastError: try row["last_error"],
            deliveredAt: (try row["delivered_at"] as Int64?).map(Date.init(storeMillis:)),
            traceID: try row["trace_id"],
            orderingKey: try row["ordering_key"]
        )
    }
}
