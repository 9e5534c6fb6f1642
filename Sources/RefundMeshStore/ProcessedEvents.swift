import Foundation
import GRDB

/// Idempotent receipt: remembers which event ids (or client idempotency keys, R-A8) this
/// service has acted on, in the same transaction as the effect.
///
/// The relay delivers at least once, so a receiver sees duplicates after a sender's retry or
/// crash. Claiming the id in the transaction that applies the effect makes the effect happen
/// once: if the transaction rolls back, so does the claim, and the next delivery tries again.
///
/// ```swift
/// let outcome = try await store.write { db in
///     try ProcessedEvents.once(db, eventID: request.idempotencyKey) {
///         let refund = try RefundRequest.create(db, request)
///         try Outbox.enqueue(db, eventID: "\(refund.id).submitted", destination: "review", ...)
///         return try RefundCreated(refund).serializedBytes()
///     }
/// }
/// ```
public enum ProcessedEvents {
    /// The result of ``once(_:eventID:now:_:)``.
    public enum Outcome: Sendable, Hashable {
        /// This call applied the effect; the bytes it returned are now stored.
        case performed([UInt8])
        /// The event was processed before; these are the bytes stored then (nil if none were).
        case replayed([UInt8]?)

        /// The response bytes, whichever case.
        public var result: [UInt8]? {
            switch self {
            case .performed(let bytes): bytes
            case .replayed(let bytes): bytes
            }
        }
    }

    /// Records `eventID` as processed; true the first time, false if it already was.
    ///
    /// Call it in the same write transaction as the effect, before applying it, and skip the
    /// effect when it returns false.
    /// - Parameters:
    ///   - db: The connection of the current ``Store/write(_:)`` transaction.
    ///   - eventID: The event id or idempotency key; not empty.
    ///   - now: The processing time.
    /// - Precondition: `db` is inside a transaction.
    public static func claim(_ db: Database, eventID: String, now: Date = Date()) throws -> Bool {
        precondition(db.isInsideTransaction, "ProcessedEvents.claim must run inside the transaction of the effect")
        return try db.run(
            "INSERT INTO processed_events (event_id, processed_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING",
            [eventID, now.storeMillis]
        ) > 0
    }

    /// Stores the response for a claimed event, so a duplicate can be answered identically.
    /// - Returns: False if `eventID` was never claimed (nothing stored).
    @discardableResult
    public static func storeResult(_ db: Database, eventID: String, result: [UInt8]) throws -> Bool {
        try db.run("UPDATE processed_events SET result = ? WHERE event_id = ?", [result, eventID]) > 0
    }

    /// The record for `eventID`, or nil if it was never processed (or was pruned).
    public static func lookup(_ db: Database, eventID: String) throws -> ProcessedEvent? {
        try ProcessedEvent.fetchOne(db, sql: "SELECT * FROM processed_events WHERE event_id = ?", arguments: [eventID])
    }

    /// Forgets events processed before `cutoff`; returns how many.
    ///
    /// A duplicate older than the retention would then be applied again: keep it longer than
    /// a message can stay stuck in a sender's outbox (its relay never gives up) and longer than
    /// clients reuse idempotency keys.
    @discardableResult
    public static func prune(_ db: Database, processedBefore cutoff: Date) throws -> Int {
        try db.execute(sql: "DELETE FROM processed_events WHERE processed_at < ?", arguments: [cutoff.storeMillis])
        return db.changesCount
    }
}
