import GRDB
import RefundMeshAPI
import RefundMeshStore

/// The in-app inbox in notification's SQLite store.
///
/// An item's id is derived from its event id and the event id is unique, so a redelivered
/// event (the senders' outboxes deliver at least once) is shown once (R-N3).
public struct InboxStore: Sendable {
    public let store: any ServiceDatabase

    /// The notification service's migrations, in order. Never edit one that has shipped: add
    /// another.
    public static let migrations: [StoreMigration] = [
        StoreMigration("notification.1.inbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE inbox_items (
                        item_id TEXT PRIMARY KEY NOT NULL,
                        event_id TEXT NOT NULL UNIQUE,
                        user_id TEXT NOT NULL,
                        refund_id TEXT NOT NULL,
                        kind INTEGER NOT NULL,
                        title TEXT NOT NULL,
                        body TEXT NOT NULL,
                        locale TEXT NOT NULL,
                        created_at_ms INTEGER NOT NULL,
                        read_at_ms INTEGER
                    );
                    CREATE INDEX inbox_items_by_user ON inbox_items (user_id, created_at_ms DESC, item_id);
                    """
            )
        },
        PreferenceStore.migration,
        DeliveryStore.migration,
    ]

    public init(store: any ServiceDatabase) {
        self.store = store
    }

    /// The inbox item id for an event.
    public static func itemID(forEvent eventID: String) -> String { "n-" + eventID }

    /// Stores `item` unless its event was stored before; true when it is new.
    public func insert(_ item: InboxItem, userID: String) async throws -> Bool {
        try await store.write { db in try Self.insert(db, item, userID: userID) }
    }

    /// Stores `item` in the caller's transaction unless its event was stored before; true when it is new.
    static func insert(_ db: some SQLSession, _ item: InboxItem, userID: String) throws -> Bool {
        try db.run(
            """
            INSERT INTO inbox_items
                (item_id, event_id, user_id, refund_id, kind, title, body, locale, created_at_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (event_id) DO NOTHING
            """,
            [
                item.itemID, item.eventID, userID, item.refundID, Int(item.kind.rawValue), item.title, item.body,
                item.locale, item.createdAtMs,
            ]
        ) > 0
    }

    /// The user's items, newest first, and how many are unread.
    public func list(userID: String, unreadOnly: Bool, limit: Int) async throws -> (items: [InboxItem], unread: Int) {
        try await store.read { db in
            let rows = try db.rows(
                """
                SELECT * FROM inbox_items
                WHERE user_id = ? AND (? = 0 OR read_at_ms IS NULL)
                ORDER BY created_at_ms DESC, item_id DESC
                LIMIT ?
                """,
                [userID, unreadOnly ? 1 : 0, limit]
            )
            let unread =
                try db.value(
                    Int.self,
                    "SELECT COUNT(*) FROM inbox_items WHERE user_id = ? AND read_at_ms IS NULL",
                    [userID]
                ) ?? 0
            return (try rows.map(Self.item(from:)), unread)
        }
    }

    /// Marks the user's items read; items of other users are left alone. Returns how many changed.
    public func markRead(userID: String, itemIDs: [String], at nowMs: Int64) async throws -> Int {
        try await store.write { db in
            var changed = 0
            for itemID in itemIDs {
                changed += try db.run(
                    "UPDATE inbox_items SET read_at_ms = ? WHERE item_id = ? AND user_id = ? AND read_at_ms IS NULL",
                    [nowMs, itemID, userID]
                )
            }
            return changed
        }
    }

    static func item(from row: SQLRow) throws -> InboxItem {
        InboxItem(
            itemID: try row["item_id"],
            eventID: try row["event_id"],
            refundID: try row["refund_id"],
            kind: RefundEvent.Kind(rawValue: Int32(truncatingIfNeeded: try row["kind"] as Int)),
            title: try row["title"],
            body: try row["body"],
            locale: try row["locale"],
            createdAtMs: try row["created_at_ms"],
            read: (try row["read_at_ms"] as Int64?) != nil
        )
    }
}
