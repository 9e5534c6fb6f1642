import Foundation
import GRDB
import Logging
import RefundMeshStore

/// The sandbox's own SQLite file (WAL, `synchronous=FULL`): the providers' records, which
/// outlive a restart of the sandbox and of every service that talks to it.
///
/// Tables: `refunds` (one row per provider and refund number, R-C6), `trades` (totals and what
/// was refunded of them, R-C5), the store's outbox (notifications waiting for delivery, with
/// their attempts), `sms_messages`, `operator_recharges` (R-R2) and `counters`. Every state
/// change is one transaction.
public struct SandboxStore: Sendable {
    /// The underlying store.
    public let store: Store

    /// The sandbox's schema history, oldest first.
    public static let migrations: [StoreMigration] = [
        StoreMigration("provider-sandbox.1.refunds") { db in
            try db.execute(
                sql: """
                    CREATE TABLE trades (
                        provider TEXT NOT NULL,
                        trade_no TEXT NOT NULL,
                        merchant TEXT NOT NULL,
                        total_fen INTEGER NOT NULL CHECK (total_fen > 0),
                        refunded_fen INTEGER NOT NULL DEFAULT 0 CHECK (refunded_fen BETWEEN 0 AND total_fen),
                        refund_count INTEGER NOT NULL DEFAULT 0,
                        paid_at_ms INTEGER NOT NULL,
                        last_refund_at_ms INTEGER,
                        PRIMARY KEY (provider, trade_no)
                    );
                    CREATE TABLE refunds (
                        provider TEXT NOT NULL,
                        refund_no TEXT NOT NULL,
                        provider_refund_id TEXT NOT NULL UNIQUE,
                        merchant TEXT NOT NULL,
                        trade_no TEXT NOT NULL,
                        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                        trade_total_fen INTEGER NOT NULL,
                        state TEXT NOT NULL,
                        final_state TEXT NOT NULL,
                        submissions INTEGER NOT NULL DEFAULT 1,
                        money_moved INTEGER NOT NULL DEFAULT 0 CHECK (money_moved BETWEEN 0 AND 1),
                        reversed INTEGER NOT NULL DEFAULT 0,
                        notifications_sent INTEGER NOT NULL DEFAULT 0,
                        notify_url TEXT,
                        reason TEXT,
                        created_at_ms INTEGER NOT NULL,
                        settle_at_ms INTEGER NOT NULL,
                        settled_at_ms INTEGER,
                        reverse_after_ms INTEGER,
                        reverse_at_ms INTEGER,
                        reversed_at_ms INTEGER,
                        duplicate_notifications INTEGER NOT NULL DEFAULT 0,
                        out_of_order INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (provider, refund_no),
                        FOREIGN KEY (provider, trade_no) REFERENCES trades (provider, trade_no)
                    );
                    CREATE INDEX refunds_due ON refunds (state, settle_at_ms);
                    CREATE INDEX refunds_reversals ON refunds (reverse_at_ms) WHERE reverse_at_ms IS NOT NULL;
                    CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
                    CREATE TABLE sms_messages (
                        message_id TEXT PRIMARY KEY NOT NULL,
                        account TEXT NOT NULL,
                        phone TEXT NOT NULL,
                        text TEXT NOT NULL,
                        sign_name TEXT NOT NULL,
                        received_at_ms INTEGER NOT NULL
                    );
                    CREATE INDEX sms_messages_by_phone ON sms_messages (phone, received_at_ms);
                    CREATE TABLE operator_recharges (
                        order_id TEXT PRIMARY KEY NOT NULL,
                        status TEXT NOT NULL,
                        credited_at_ms INTEGER,
                        updated_at_ms INTEGER NOT NULL
                    );
                    """
            )
        }
    ]

    /// Opens (creating if needed) the file at `path`.
    /// - Throws: `StoreError` when the file cannot be opened or migrated.
    public init(path: String, logger: Logger) throws {
        store = try Store(
            configuration: Store.Configuration(path: path, synchronous: .full),
            migrations: Self.migrations,
            logger: logger
        )
    }

    /// Closes the file.
    public func close() throws { try store.close() }
}

/// Named running totals (`GET /sandbox/v1/stats`).
enum Counter: String, CaseIterable {
    case duplicatesRefused = "duplicates_refused"
    case rateLimited = "rate_limited"
    case failedAnswers = "failed_answers"
    case refused = "refused"
    case timeoutsAfterCommit = "timeouts_after_commit"
    case notificationsSent = "notifications_sent"
    case notificationsFailed = "notification_attempts_failed"
    case notificationsAbandoned = "notifications_abandoned"
    case signatureErrors = "signature_errors"
    case smsAccepted = "sms_accepted"
    case smsDuplicates = "sms_duplicates"
    case smsRateLimited = "sms_rate_limited"

    func add(_ amount: Int = 1, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO counters (name, value) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET value = value + excluded.value
                """,
            arguments: [rawValue, amount]
        )
    }
}

extension SandboxStore {
    /// Adds to a counter in its own transaction.
    func count(_ counter: Counter, _ amount: Int = 1) async throws {
        try await store.write { db in try counter.add(amount, in: db) }
    }
}
