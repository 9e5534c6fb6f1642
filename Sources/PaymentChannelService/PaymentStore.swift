import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshStore

/// payment-channel's SQLite store: captured payments, refund payments (one per refund id,
/// R-C5), the double-entry ledger (``Ledger``; user balances are derived from it, R-C4), alerts
/// and the persisted throttles (R-C7).
///
/// Every method is one transaction. The refund-side methods live in
/// `PaymentStore+Refunds.swift`; each state change there enqueues its ApplyStatus and Publish
/// messages in the same transaction (``RefundNotices``).
public struct PaymentStore: Sendable {
    public let store: any ServiceDatabase
    /// Fees and arrival times (R-C2, R-C3), balance withdrawal (R-C4).
    public let policy: RefundPolicy
    /// Reconciliation schedule, throttles, escalation (R-C6, R-C7).
    public let settings: PaymentChannelConfiguration

    /// What the movements inside a transaction need to know.
    struct Context: Sendable {
        var policy: RefundPolicy
        var settings: PaymentChannelConfiguration
    }

    var context: Context { Context(policy: policy, settings: settings) }

    /// The payment methods a captured payment may have.
    public static let knownMethods: Set<PaymentMethod> = [.wechatPay, .alipay, .bankCard, .balance]

    /// payment-channel's migrations, in order. Never edit one that has shipped: add another.
    public static let migrations: [StoreMigration] = [
        StoreMigration("payment-channel.1.captured-payments") { db in
            try db.execute(
                sql: """
                    CREATE TABLE captured_payments (
                        payment_id TEXT PRIMARY KEY NOT NULL,
                        order_id TEXT NOT NULL,
                        user_id TEXT NOT NULL,
                        method INTEGER NOT NULL,
                        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                        captured_at_ms INTEGER NOT NULL,
                        merchant_id TEXT NOT NULL
                    );
                    CREATE INDEX captured_payments_by_order ON captured_payments (order_id, captured_at_ms);
                    """
            )
        },
        StoreMigration("payment-channel.2.refund-payments") { db in
            // R-C5: one row per refund id (the primary key) is what makes a refund execute at
            // most once; R-C6: the provider number is fixed here and unique.
            try db.execute(
                sql: """
                    CREATE TABLE refund_payments (
                        refund_id TEXT PRIMARY KEY NOT NULL,
                        payment_id TEXT NOT NULL REFERENCES captured_payments (payment_id),
                        order_id TEXT NOT NULL,
                        user_id TEXT NOT NULL,
                        method INTEGER NOT NULL,
                        destination INTEGER NOT NULL,
                        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                        fee_fen INTEGER NOT NULL CHECK (fee_fen >= 0),
                        net_fen INTEGER NOT NULL CHECK (net_fen = amount_fen - fee_fen),
                        platform_fault INTEGER NOT NULL,
                        state INTEGER NOT NULL,
                        provider_refund_no TEXT NOT NULL UNIQUE,
                        created_at_ms INTEGER NOT NULL,
                        sent_at_ms INTEGER,
                        arrived_at_ms INTEGER,
                        expected_arrival_ms INTEGER NOT NULL,
                        failure_reason TEXT,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT
                    );
                    CREATE INDEX refund_payments_by_payment ON refund_payments (payment_id);
                    CREATE INDEX refund_payments_by_state ON refund_payments (state, created_at_ms);
                    """
            )
        },
        StoreMigration("payment-channel.3.balance-ledger") { db in
            // R-C4: append-only entries (credits carry their refund id, unique, so a refund is
            // credited once) and the balance they sum to, kept in the same transaction.
            try db.execute(
                sql: """
                    CREATE TABLE balance_entries (
                        entry_id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id TEXT NOT NULL,
                        amount_fen INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        refund_id TEXT UNIQUE,
                        created_at_ms INTEGER NOT NULL
                    );
                    CREATE INDEX balance_entries_by_user ON balance_entries (user_id, entry_id);
                    CREATE TRIGGER balance_entries_no_update BEFORE UPDATE ON balance_entries
                    BEGIN SELECT RAISE(ABORT, 'balance_entries is append-only'); END;
                    CREATE TRIGGER balance_entries_no_delete BEFORE DELETE ON balance_entries
                    BEGIN SELECT RAISE(ABORT, 'balance_entries is append-only'); END;
                    CREATE TABLE balances (
                        user_id TEXT PRIMARY KEY NOT NULL,
                        available_fen INTEGER NOT NULL CHECK (available_fen >= 0),
                        updated_at_ms INTEGER NOT NULL
                    );
                    """
            )
        },
        StoreMigration("payment-channel.4.ledger-reconciliation-throttles") { db in
            try migrateToLedger(db)
        },
        StoreMigration("payment-channel.5.refund-trace") { db in
            // The trace the refund was asked for under (ExecuteRefund's): every notice of the
            // refund, whenever and by whatever it is caused (settling, a provider's
            // notification), goes out under it, so one id follows the refund (docs/OPERATIONS.md).
            try db.run("ALTER TABLE refund_payments ADD COLUMN trace_id TEXT")
        },
    ]

    public init(store: any ServiceDatabase, policy: RefundPolicy, settings: PaymentChannelConfiguration = .init()) {
        self.store = store
        self.policy = policy
        self.settings = settings
    }

    // MARK: Captured payments

    /// Records a captured payment; true the first time, false when the same facts were recorded
    /// before.
    /// - Throws: ``PaymentChannelError`` `.invalid` for a malformed payment, `.conflictingPayment`
    ///   naming the first field that differs when the id is known with other facts.
    public func record(_ payment: CapturedPayment) async throws -> Bool {
        try Self.validate(payment)
        return try await store.write { db in
            if let known = try Self.payment(db, id: payment.paymentID) {
                if let field = Self.firstDifference(known, payment) {
                    throw PaymentChannelError(
                        code: .conflictingPayment,
                        message:
                            "payment \(payment.paymentID) is already recorded with \(field.name) \(field.known);"
                            + " this request has \(field.given). A payment id names one captured payment: use a"
                            + " new id for a second charge (R-R3)"
                    )
                }
                return false
            }
            try db.run(
                """
                INSERT INTO captured_payments
                    (payment_id, order_id, user_id, method, amount_fen, captured_at_ms, merchant_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    payment.paymentID, payment.orderID, payment.userID, Int(payment.method.rawValue),
                    payment.amountFen, payment.capturedAtMs, payment.merchantID,
                ]
            )
            return true
        }
    }

    /// The order's captured payments, oldest first.
    public func payments(orderID: String) async throws -> [CapturedPayment] {
        try await store.read { db in try Self.payments(db, orderID: orderID) }
    }

    /// The named payment, or the order's first when `paymentID` is empty.
    /// - Throws: ``PaymentChannelError`` `.notFound` saying which is missing.
    public func payment(orderID: String, paymentID: String) async throws -> CapturedPayment {
        try await store.read { db in try Self.choosePayment(db, orderID: orderID, paymentID: paymentID) }
    }

    /// What is already being refunded or refunded from `paymentID` (failed refunds excluded).
    public func refundedFen(paymentID: String) async throws -> Int64 {
        try await store.read { db in try Self.refundedFen(db, paymentID: paymentID) }
    }

    // MARK: Balance

    /// The user's platform balance in fen (0 for a user who never had one): the credit balance of
    /// their `user_balance:<user>` ledger account, the one source of truth (R-C4).
    public func balance(userID: String) async throws -> Int64 {
        try await store.read { db in -(try Ledger.balance(db, account: Ledger.userBalance(userID))) }
    }

    // MARK: Queries inside a transaction

    static func payment(_ db: some SQLSession, id: String) throws -> CapturedPayment? {
        try db.row("SELECT * FROM captured_payments WHERE payment_id = ?", [id])
            .map(Self.payment(from:))
    }

    static func payments(_ db: some SQLSession, orderID: String) throws -> [CapturedPayment] {
        try db.rows(
            "SELECT * FROM captured_payments WHERE order_id = ? ORDER BY captured_at_ms, \(db.dialect.insertionOrder)",
            [orderID]
        ).map(Self.payment(from:))
    }

    static func choosePayment(_ db: some SQLSession, orderID: String, paymentID: String) throws -> CapturedPayment {
        if !paymentID.isEmpty {
            guard let payment = try payment(db, id: paymentID) else {
                throw PaymentChannelError.notFound(
                    "no captured payment \(paymentID); record it with RecordPayment before refunding it"
                )
            }
            if !orderID.isEmpty, payment.orderID != orderID {
                // Not found for this order; which order it belongs to is not this caller's business.
                throw PaymentChannelError.notFound("order \(orderID) has no captured payment \(paymentID)")
            }
            return payment
        }
        guard let first = try payments(db, orderID: orderID).first else {
            throw PaymentChannelError.notFound(
                "order \(orderID) has no captured payment; the platform feed records payments with RecordPayment"
            )
        }
        return first
    }

    static func refundedFen(_ db: some SQLSession, paymentID: String) throws -> Int64 {
        try db.value(
            Int64.self,
            "SELECT COALESCE(SUM(amount_fen), 0) FROM refund_payments WHERE payment_id = ? AND state != ?",
            [paymentID, Int(RefundPayment.State.failed.rawValue)]
        ) ?? 0
    }

    static func payment(from row: SQLRow) throws -> CapturedPayment {
        CapturedPayment(
            paymentID: try row["payment_id"],
            orderID: try row["order_id"],
            userID: try row["user_id"],
            method: PaymentMethod(rawValue: Int32(truncatingIfNeeded: try row["method"] as Int)),
            amountFen: try row["amount_fen"],
            capturedAtMs: try row["captured_at_ms"],
            merchantID: try row["merchant_id"]
        )
    }

    // MARK: Validation

    static func validate(_ payment: CapturedPayment) throws(PaymentChannelError) {
        var missing: [String] = []
        if payment.paymentID.isEmpty { missing.append("payment_id") }
        if payment.orderID.isEmpty { missing.append("order_id") }
        if payment.userID.isEmpty { missing.append("user_id") }
        if !missing.isEmpty {
            throw .invalid("a captured payment needs \(missing.joined(separator: ", "))")
        }
        guard payment.amountFen > 0 else {
            throw .invalid("amount_fen must be positive (fen); got \(payment.amountFen)")
        }
        guard knownMethods.contains(payment.method) else {
            throw .invalid(
                "unknown payment method \(payment.method.rawValue); use WECHAT_PAY, ALIPAY, BANK_CARD or BALANCE"
            )
        }
    }

    private static func firstDifference(
        _ known: CapturedPayment,
        _ given: CapturedPayment
    )
        -> (name: String, known: String, given: String)?
    {
        let fields: [(String, String, String)] = [
            ("order_id", known.orderID, given.orderID),
            ("user_id", known.userID, given.userID),
            ("method", "\(known.method.rawValue)", "\(given.method.rawValue)"),
            ("amount_fen", "\(known.amountFen)", "\(given.amountFen)"),
            ("captured_at_ms", "\(known.capturedAtMs)", "\(given.capturedAtMs)"),
            ("merchant_id", known.merchantID, given.merchantID),
        ]
        return fields.first { $0.1 != $0.2 }.map { (name: $0.0, known: $0.1, given: $0.2) }
    }
}
