import Foundation
import GRDB

extension ProcessedEvents {
    /// The outcome of ``claim(_:eventID:request:now:)``.
    public enum Claim: Sendable, Hashable {
        /// The first time: the effect should be applied now.
        case first
        /// The same request again: already applied, nothing to do.
        case replay
        /// The id was used before for a request with other bytes (stored here): a different
        /// request under a reused id, to be refused rather than silently dropped.
        case conflict(stored: [UInt8])
    }

    /// Claims `eventID` for `request` (the request's serialized bytes), remembering them, so that
    /// a later claim of the same id tells a replay from a different request reusing it (as
    /// payment APIs refuse an idempotency key sent with other parameters).
    ///
    /// The bytes are kept in the event's stored result. Events recorded without them (before this
    /// existed) count as replays.
    /// - Precondition: `db` is inside the transaction of the effect.
    public static func claim(_ db: Database, eventID: String, request: [UInt8], now: Date = Date()) throws -> Claim {
        if try claim(db, eventID: eventID, now: now) {
            try storeResult(db, eventID: eventID, result: request)
            return .first
        }
        guard let stored = try lookup(db, eventID: eventID)?.result, stored != request else { return .replay }
        return .conflict(stored: stored)
    }
}
