import Foundation
import Logging
import PostgresNIO
import RefundMeshStore

/// Idempotent receipt on PostgreSQL, as ``RefundMeshStore/ProcessedEvents`` on SQLite: an event
/// id claimed in the transaction that applies its effect, so the effect happens once.
///
/// It rests on the table's primary key. When two replicas receive the same event at once, the
/// second one's insert waits for the first transaction: if that commits, the second sees a
/// replay; if it rolls back, the second claims the event and applies it. No lock of our own.
public enum PostgresProcessedEvents {
    /// Claims `eventID` for `request` (its serialized bytes, kept so a later claim tells a replay
    /// from another request reusing the id), inside the caller's transaction.
    public static func claim(
        _ connection: PostgresConnection,
        eventID: String,
        request: [UInt8],
        now: Date = Date(),
        logger: Logger
    ) async throws -> ProcessedEvents.Claim {
        let inserted = try await connection.query(
            """
            INSERT INTO processed_events (event_id, processed_at, result)
            VALUES (\(eventID), \(now.millisecondsSince1970), \(Data(request)))
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id
            """,
            logger: logger
        )
        if try await inserted.count() > 0 { return .first }
        let stored = try await result(connection, eventID: eventID, logger: logger)
        guard let stored, stored != request else { return .replay }
        return .conflict(stored: stored)
    }

    /// Runs `effect` once per `eventID`: the first time it runs and its result is stored; after
    /// that the stored result is returned without running it. Inside the caller's transaction.
    public static func once(
        _ connection: PostgresConnection,
        eventID: String,
        now: Date = Date(),
        logger: Logger,
        _ effect: () async throws -> [UInt8]
    ) async throws -> ProcessedEvents.Outcome {
        let inserted = try await connection.query(
            """
            INSERT INTO processed_events (event_id, processed_at) VALUES (\(eventID), \(now.millisecondsSince1970))
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id
            """,
            logger: logger
        )
        guard try await inserted.count() > 0 else {
            return .replayed(try await result(connection, eventID: eventID, logger: logger))
        }
        let bytes = try await effect()
        try await connection.query(
            "UPDATE processed_events SET result = \(Data(bytes)) WHERE event_id = \(eventID)",
            logger: logger
        )
        return .performed(bytes)
    }

    /// Deletes events processed before `cutoff`; returns how many.
    @discardableResult
    public static func prune(
        _ connection: PostgresConnection,
        processedBefore cutoff: Date,
        logger: Logger
    )
        async throws -> Int
    {
        let rows = try await connection.query(
            "DELETE FROM processed_events WHERE processed_at < \(cutoff.millisecondsSince1970) RETURNING event_id",
            logger: logger
        )
        return try await rows.count()
    }

    private static func result(
        _ connection: PostgresConnection,
        eventID: String,
        logger: Logger
    ) async throws
        -> [UInt8]?
    {
        let rows = try await connection.query(
            "SELECT result FROM processed_events WHERE event_id = \(eventID)",
            logger: logger
        )
        for try await data in rows.decode(Data?.self) { return data.map { [UInt8]($0) } }
        return nil
    }
}
