import Foundation
import GRDB

/// A request or event this service has already acted on, as recorded by ``ProcessedEvents``.
public struct ProcessedEvent: Sendable, Hashable {
    /// The sender's event id or the client's idempotency key.
    public var eventID: String
    /// When the effect committed.
    public var processedAt: Date
    /// The response bytes stored with it, to answer a duplicate the same way (R-A8); nil if the
    /// receiver stored none.
    public var result: [UInt8]?

    /// Creates a value.
    public init(eventID: String, processedAt: Date, result: [UInt8]?) {
        self.eventID = eventID
        self.processedAt = processedAt
        self.result = result
    }
}

extension ProcessedEvent: FetchableRecord {
    /// Decodes a `processed_events` row.
    public init(row: Row) throws {
        let result: Data? = row["result"]
        self.init(
            eventID: row["event_id"],
            processedAt: Date(storeMillis: row["processed_at"]),
            result: result.map { [UInt8]($0) }
        )
    }
}
