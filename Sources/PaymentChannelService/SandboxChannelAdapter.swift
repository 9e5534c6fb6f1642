import GRDB
import RefundMeshAPI
import RefundMeshHosting
import RefundMeshStore

/// Stands in for WeChat Pay, Alipay and bank card refunds until real adapters exist.
///
/// It behaves like a provider where it matters to payment-channel: it keeps its own records in
/// its own SQLite file (a provider outlives our crashes), it is idempotent on the refund number —
/// a number submitted again is answered with the refund it already has and never pays twice
/// (R-C6) — it refuses refunds beyond the payment, it answers after a latency, and it settles a
/// refund some time after submission, or closes it at the configured failure rate. Times are
/// sandbox time (``Configuration``).
public struct SandboxChannelAdapter: ChannelAdapter {
    /// The sandbox's own store (`payment-sandbox.sqlite`).
    public let store: Store
    public let configuration: Configuration
    private let now: @Sendable () -> Int64
    private let random: @Sendable () -> Double

    /// The sandbox's schema, in its own file.
    public static let migrations: [StoreMigration] = [
        StoreMigration("payment-sandbox.1.provider-refunds") { db in
            try db.execute(
                sql: """
                    CREATE TABLE provider_refunds (
                        refund_no TEXT PRIMARY KEY NOT NULL,
                        payment_id TEXT NOT NULL,
                        method INTEGER NOT NULL,
                        amount_fen INTEGER NOT NULL,
                        submitted_at_ms INTEGER NOT NULL,
                        settles_at_ms INTEGER NOT NULL,
                        succeeds INTEGER NOT NULL,
                        submissions INTEGER NOT NULL
                    );
                    CREATE INDEX provider_refunds_by_payment ON provider_refunds (payment_id);
                    """
            )
        }
    ]

    public init(
        store: Store,
        configuration: Configuration = Configuration(),
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.store = store
        self.configuration = configuration
        self.now = now
        self.random = random
    }

    public func submit(refundNo: String, amountFen: Int64, payment: CapturedPayment) async throws -> ChannelSubmission {
        try await Task.sleep(for: configuration.latency)
        let nowMs = now()
        let settle = payment.method == .bankCard ? configuration.bankCardSettle : configuration.walletSettle
        let succeeds = random() >= configuration.failureRate
        return try await store.write { db in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM provider_refunds WHERE refund_no = ?", arguments: [refundNo])
                != nil
            {
                // Same number again: the provider answers with what it has; nothing is paid again.
                try db.execute(
                    sql: "UPDATE provider_refunds SET submissions = submissions + 1 WHERE refund_no = ?",
                    arguments: [refundNo]
                )
                return .accepted
            }
            let refunded =
                try Int64.fetchOne(
                    db,
                    sql: "SELECT COALESCE(SUM(amount_fen), 0) FROM provider_refunds WHERE payment_id = ? AND succeeds",
                    arguments: [payment.paymentID]
                ) ?? 0
            guard amountFen > 0, refunded + amountFen <= payment.amountFen else {
                return .failed(
                    reason:
                        "provider refused: \(amountFen) fen exceeds what remains of payment \(payment.paymentID)"
                        + " (\(payment.amountFen - refunded) fen)"
                )
            }
            try db.execute(
                sql: """
                    INSERT INTO provider_refunds
                        (refund_no, payment_id, method, amount_fen, submitted_at_ms, settles_at_ms, succeeds, submissions)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1)
                    """,
                arguments: [
                    refundNo, payment.paymentID, Int(payment.method.rawValue), amountFen, nowMs,
                    nowMs + settle.wholeMilliseconds, succeeds,
                ]
            )
            return .accepted
        }
    }

    public func query(refundNo: String) async throws -> ChannelRefundStatus {
        try await Task.sleep(for: configuration.latency)
        let nowMs = now()
        let found = try await store.read { db -> (settlesAtMs: Int64, succeeds: Bool)? in
            try Row.fetchOne(
                db,
                sql: "SELECT settles_at_ms, succeeds FROM provider_refunds WHERE refund_no = ?",
                arguments: [refundNo]
            ).map { ($0["settles_at_ms"], $0["succeeds"]) }
        }
        guard let found else { return .notFound }
        guard nowMs >= found.settlesAtMs else { return .processing }
        if found.succeeds { return .succeeded }
        return .failed(reason: "the provider closed refund \(refundNo) (CLOSED; sandbox failure rate)")
    }

    /// Refunds whose money has moved: accepted, settled and not closed, once per number.
    public func paidCount() async throws -> Int {
        let nowMs = now()
        return try await store.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM provider_refunds WHERE succeeds AND settles_at_ms <= ?",
                arguments: [nowMs]
            ) ?? 0
        }
    }

    /// How often `refundNo` was submitted (retries included); 0 if never.
    public func submissions(refundNo: String) async throws -> Int {
        try await store.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT submissions FROM provider_refunds WHERE refund_no = ?",
                arguments: [refundNo]
            ) ?? 0
        }
    }
}
