import Crypto
import Foundation
import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshEvidence
import RefundMeshStore

/// intake's SQLite store: orders, refunds with their idempotency keys, the timeline of every
/// refund, withdrawals (R-A7) and content-addressed attachments (R-A5).
public struct IntakeStore: Sendable {
    public let store: any ServiceDatabase

    /// intake's migrations, in order. Never edit one that has shipped: add another.
    public static let migrations: [StoreMigration] = [
        StoreMigration("intake.1.orders-refunds-timeline") { db in
            try db.execute(
                sql: """
                    CREATE TABLE orders (
                        order_id TEXT PRIMARY KEY NOT NULL,
                        user_id TEXT NOT NULL,
                        order_bytes BLOB NOT NULL,
                        recorded_at_ms INTEGER NOT NULL
                    );
                    CREATE TABLE refunds (
                        refund_id TEXT PRIMARY KEY NOT NULL,
                        order_id TEXT NOT NULL REFERENCES orders (order_id),
                        user_id TEXT NOT NULL,
                        idempotency_key TEXT NOT NULL,
                        request_digest TEXT NOT NULL,
                        state INTEGER NOT NULL,
                        ground INTEGER NOT NULL,
                        source INTEGER NOT NULL,
                        destination INTEGER NOT NULL,
                        payment_id TEXT NOT NULL,
                        requested_amount_fen INTEGER NOT NULL,
                        decided_amount_fen INTEGER NOT NULL DEFAULT 0,
                        fee_fen INTEGER NOT NULL DEFAULT 0,
                        expected_arrival_ms INTEGER NOT NULL DEFAULT 0,
                        requested_materials TEXT NOT NULL DEFAULT '',
                        flagged INTEGER NOT NULL DEFAULT 0,
                        flag_reason TEXT NOT NULL DEFAULT '',
                        locale TEXT NOT NULL,
                        created_at_ms INTEGER NOT NULL,
                        updated_at_ms INTEGER NOT NULL,
                        UNIQUE (user_id, idempotency_key)
                    );
                    CREATE INDEX refunds_by_user ON refunds (user_id, created_at_ms DESC);
                    CREATE INDEX refunds_by_order ON refunds (order_id);
                    CREATE TABLE timeline (
                        refund_id TEXT NOT NULL REFERENCES refunds (refund_id),
                        sequence INTEGER NOT NULL,
                        at_ms INTEGER NOT NULL,
                        state INTEGER NOT NULL,
                        rule TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        amount_fen INTEGER NOT NULL,
                        PRIMARY KEY (refund_id, sequence)
                    );
                    CREATE TABLE withdrawals (
                        refund_id TEXT PRIMARY KEY NOT NULL,
                        order_id TEXT NOT NULL,
                        user_id TEXT NOT NULL,
                        at_ms INTEGER NOT NULL
                    );
                    CREATE INDEX withdrawals_by_user ON withdrawals (user_id, at_ms);
                    CREATE INDEX withdrawals_by_order ON withdrawals (order_id);
                    CREATE TABLE attachments (
                        sha256_hex TEXT PRIMARY KEY NOT NULL,
                        content BLOB NOT NULL,
                        size_bytes INTEGER NOT NULL
                    );
                    CREATE TABLE refund_attachments (
                        refund_id TEXT NOT NULL REFERENCES refunds (refund_id),
                        sha256_hex TEXT NOT NULL REFERENCES attachments (sha256_hex),
                        kind INTEGER NOT NULL,
                        file_name TEXT NOT NULL,
                        content_type TEXT NOT NULL,
                        added_at_ms INTEGER NOT NULL,
                        PRIMARY KEY (refund_id, sha256_hex, kind)
                    );
                    """
            )
        },
        StoreMigration("intake.2.order-history") { db in
            // R-R7: the user's recent purchases (count, median price) travel with each case to
            // review; price and paid time are columns so that summary is one indexed query.
            try db.execute(
                sql: """
                    ALTER TABLE orders ADD COLUMN price_fen INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE orders ADD COLUMN paid_at_ms INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX orders_by_user ON orders (user_id, paid_at_ms);
                    """
            )
            for row in try db.rows("SELECT order_id, order_bytes FROM orders") {
                let order = try Order(serializedBytes: [UInt8](try row["order_bytes"] as Data))
                try db.run(
                    "UPDATE orders SET price_fen = ?, paid_at_ms = ? WHERE order_id = ?",
                    [order.priceFen, order.paidAtMs, order.orderID]
                )
            }
        },
    ]

    public init(store: any ServiceDatabase) {
        self.store = store
    }

    // MARK: Orders

    /// Stores an order once. Returns true when new; throws `.conflict` when the id is known with
    /// different facts.
    static func recordOrder(_ db: some SQLSession, _ order: Order, nowMs: Int64) throws -> Bool {
        let bytes = try order.serializedBytes()
        if let existing = try db.row("SELECT order_bytes FROM orders WHERE order_id = ?", [order.orderID]) {
            let stored: [UInt8] = try existing["order_bytes"]
            if stored == bytes { return false }
            let previous = try Order(serializedBytes: stored)
            throw OrderConflict(orderID: order.orderID, differences: Self.differences(previous, order))
        }
        try db.run(
            """
            INSERT INTO orders (order_id, user_id, order_bytes, recorded_at_ms, price_fen, paid_at_ms)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [order.orderID, order.userID, Data(bytes), nowMs, order.priceFen, order.paidAtMs]
        )
        return true
    }

    /// The user's purchases in the 90 days before `beforeMs`, `excluding` one order (R-R7).
    static func userHistory(
        _ db: some SQLSession,
        userID: String,
        excluding orderID: String,
        beforeMs: Int64
    ) throws
        -> UserHistory
    {
        let prices = try db.rows(
            """
            SELECT price_fen FROM orders
            WHERE user_id = ? AND paid_at_ms >= ? AND paid_at_ms <= ? AND order_id != ?
            ORDER BY price_fen
            """,
            [userID, beforeMs - 90 * 86_400_000, beforeMs, orderID]
        ).map { try $0[0] as Int64 }
        guard !prices.isEmpty else { return UserHistory() }
        // The lower median: an actual price the user paid, never an average of two.
        return UserHistory(orders90d: UInt32(prices.count), medianOrderFen90d: prices[(prices.count - 1) / 2])
    }

    static func order(_ db: some SQLSession, id: String) throws -> Order? {
        guard
            let row = try db.row("SELECT order_bytes FROM orders WHERE order_id = ?", [id])
        else {
            return nil
        }
        return try Order(serializedBytes: [UInt8](try row["order_bytes"] as Data))
    }

    /// The fields of the order, by proto name, in which `new` differs from what is stored.
    static func differences(_ old: Order, _ new: Order) -> [String] {
        let fields = FieldDifferences.between(old, new)
        return fields.isEmpty ? ["other fields"] : fields
    }

    // MARK: Attachments

    /// Stores attachment bytes once per content (SHA-256) and links them to the refund.
    static func attach(
        _ db: some SQLSession,
        _ attachments: [Attachment],
        to refundID: String,
        nowMs: Int64
    ) throws -> [AttachmentRef] {
        var refs: [AttachmentRef] = []
        for attachment in attachments {
            let digest = EvidenceHex.encode(SHA256.hash(data: attachment.content))
            try db.run(
                "INSERT INTO attachments (sha256_hex, content, size_bytes) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [digest, Data(attachment.content), attachment.content.count]
            )
            try db.run(
                """
                INSERT INTO refund_attachments (refund_id, sha256_hex, kind, file_name, content_type, added_at_ms)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """,
                [
                    refundID, digest, Int(attachment.kind.rawValue), attachment.fileName, attachment.contentType, nowMs,
                ]
            )
            refs.append(
                AttachmentRef(
                    kind: attachment.kind,
                    fileName: attachment.fileName,
                    contentType: attachment.contentType,
                    sha256Hex: digest,
                    sizeBytes: Int64(attachment.content.count)
                )
            )
        }
        return refs
    }

    static func attachments(_ db: some SQLSession, of refundID: String) throws -> [AttachmentRef] {
        try db.rows(db.dialect == .sqlite ? attachmentsSQLite : attachmentsPostgres, [refundID]).map { row in
            AttachmentRef(
                kind: MaterialKind(rawValue: Int32(truncatingIfNeeded: try row["kind"] as Int)),
                fileName: try row["file_name"],
                contentType: try row["content_type"],
                sha256Hex: try row["sha256_hex"],
                sizeBytes: try row["size_bytes"]
            )
        }
    }
}

extension IntakeStore {
    /// A refund's attachments for its view, on SQLite. A row's columns lie in their declared
    /// order, and `content` (up to the policy's limit, 2 MiB by default) comes before `size_bytes`
    /// in `attachments`: reading `size_bytes` walked the content's whole chain of overflow pages
    /// (512 pages for 2 MiB) on every view, and pushed that many pages through the cache. The
    /// size of a blob is in the row's header, which `length()` reads without the blob's pages;
    /// it equals `size_bytes`, as both are written from the same bytes (``attach(_:_:to:nowMs:)``).
    static let attachmentsSQLite = """
        SELECT ra.kind, ra.file_name, ra.content_type, ra.sha256_hex, length(a.content) AS size_bytes
        FROM refund_attachments ra JOIN attachments a USING (sha256_hex)
        WHERE ra.refund_id = ? ORDER BY ra.added_at_ms, ra.sha256_hex
        """

    /// The same on PostgreSQL, which keeps large values out of the row (TOAST): `size_bytes`
    /// costs nothing there.
    static let attachmentsPostgres = """
        SELECT ra.kind, ra.file_name, ra.content_type, ra.sha256_hex, a.size_bytes
        FROM refund_attachments ra JOIN attachments a USING (sha256_hex)
        WHERE ra.refund_id = ? ORDER BY ra.added_at_ms, ra.sha256_hex
        """
}

/// An order id recorded before with different facts.
struct OrderConflict: Error {
    let orderID: String
    let differences: [String]
}
