import Foundation
import GRDB

/// The queries an ``OutboxRelay`` runs. Internal: services enqueue and observe; only the relay
/// moves messages along.
extension Outbox {
    /// The earliest instant a pending message of each destination is due (messages waiting
    /// behind a failed one of their key count as due: ``OutboxRelay`` finds out when it looks).
    struct Head: Sendable {
        var destination: String
        var nextAttemptAt: Date
    }

    static func pendingHeads(_ db: Database, destinations: Set<String>?) throws -> [Head] {
        // A destination with a message that never failed has something due now (enqueueing
        // makes a message due at once); otherwise its soonest retry is when.
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT d.destination,
                        EXISTS (
                            SELECT 1 FROM outbox_messages
                            WHERE delivered_at IS NULL AND destination = d.destination AND attempts = 0
                        ) AS fresh,
                        (
                            SELECT MIN(next_attempt_at) FROM outbox_messages
                            WHERE delivered_at IS NULL AND destination = d.destination AND attempts > 0
                        ) AS retry
                    FROM (SELECT DISTINCT destination FROM outbox_messages WHERE delivered_at IS NULL) AS d
                    """
            )
        )
        let now = Date()
        return rows.compactMap { row in
            let destination: String = row["destination"]
            if let destinations, !destinations.contains(destination) { return nil }
            let fresh: Bool = row["fresh"]
            let retry: Int64? = row["retry"]
            let due = fresh ? now : retry.map { Date(storeMillis: $0) } ?? now
            return Head(destination: destination, nextAttemptAt: due)
        }
    }

    /// The destination's oldest pending messages, in delivery order.
    static func pendingBatch(_ db: Database, destination: String, limit: Int) throws -> [OutboxMessage] {
        try OutboxMessage.fetchAll(
            db.cachedStatement(
                sql: "SELECT * FROM outbox_messages WHERE delivered_at IS NULL AND destination = ? ORDER BY id LIMIT ?"
            ),
            arguments: [destination, limit]
        )
    }

    /// The destination's oldest deliverable messages, in delivery order: due by `now`, and with
    /// no earlier message of their ordering key waiting for a retry.
    static func deliverable(_ db: Database, destination: String, now: Date, limit: Int) throws -> [OutboxMessage] {
        let millis = now.storeMillis
        return try OutboxMessage.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM outbox_messages AS m
                    WHERE m.delivered_at IS NULL AND m.destination = ? AND m.next_attempt_at <= ?
                      AND NOT EXISTS (
                        SELECT 1 FROM outbox_messages AS b
                        WHERE b.delivered_at IS NULL AND b.attempts > 0 AND b.destination = m.destination
                          AND b.ordering_key IS m.ordering_key AND b.id < m.id AND b.next_attempt_at > ?
                      )
                    ORDER BY m.id LIMIT ?
                    """
            ),
            arguments: [destination, millis, millis, limit]
        )
    }

    /// When the destination's earliest message waiting for a retry is due; nil if none waits.
    static func earliestRetry(_ db: Database, destination: String, after now: Date) throws -> Date? {
        let millis = try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT MIN(next_attempt_at) FROM outbox_messages
                    WHERE delivered_at IS NULL AND attempts > 0 AND destination = ? AND next_attempt_at > ?
                    """
            ),
            arguments: [destination, now.storeMillis]
        )
        return millis.map { Date(storeMillis: $0) }
    }

    static func head(_ db: Database, destination: String) throws -> OutboxMessage? {
        try pendingBatch(db, destination: destination, limit: 1).first
    }

    static func markDelivered(_ db: Database, id: Int64, now: Date = Date()) throws {
        try db.run(
            "UPDATE outbox_messages SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL",
            [now.storeMillis, id]
        )
    }

    static func recordFailure(_ db: Database, id: Int64, error: String, nextAttemptAt: Date) throws {
        try db.run(
            """
            UPDATE outbox_messages SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
            WHERE id = ? AND delivered_at IS NULL
            """,
            [error, nextAttemptAt.storeMillis, id]
        )
    }
}
