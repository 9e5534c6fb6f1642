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
}
