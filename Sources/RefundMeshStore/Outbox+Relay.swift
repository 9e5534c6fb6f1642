import Foundation
import GRDB

/// The queries an ``OutboxRelay`` runs. Internal: services enqueue and observe; only the relay
/// moves messages along.
extension Outbox {
    /// The oldest pending message of each destination, oldest first, with when it is due.
    struct Head: Sendable {
        var destination: String
        var nextAttemptAt: Date
    }

    static func pendingHeads(_ db: Database, destinations: Set<String>?) throws -> [Head] {
        // SQLite returns the bare column `next_attempt_at` from the row that holds MIN(id).
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT destination, MIN(id) AS head, next_attempt_at
                FROM outbox_messages WHERE delivered_at IS NULL
                GROUP BY destination ORDER BY head
                """
        )
        return rows.compactMap { row in
            let destination: String = row["destination"]
            if let destinations, !destinations.contains(destination) { return nil }
            return Head(destination: destination, nextAttemptAt: Date(storeMillis: row["next_attempt_at"]))
        }
    }

    static func head(_ db: Database, destination: String) throws -> OutboxMessage? {
        try OutboxMessage.fetchOne(
            db,
            sql: "SELECT * FROM outbox_messages WHERE delivered_at IS NULL AND destination = ? ORDER BY id LIMIT 1",
            arguments: [destination]
        )
    }

    static func markDelivered(_ db: Database, id: Int64, now: Date = Date()) throws {
        try db.execute(
            sql: "UPDATE outbox_messages SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL",
            arguments: [now.storeMillis, id]
        )
    }

    static func recordFailure(_ db: Database, id: Int64, error: String, nextAttemptAt: Date) throws {
        try db.execute(
            sql: """
                UPDATE outbox_messages SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
                WHERE id = ? AND delivered_at IS NULL
                """,
            arguments: [error, nextAttemptAt.storeMillis, id]
        )
    }
}
