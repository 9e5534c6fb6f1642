import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshStore
import Synchronization

/// Stands in for WeChat Pay, Alipay and bank card refunds in process (unit tests, the embedded
/// default); the HTTP provider sandbox and real clients plug into the same ``ChannelAdapter``.
///
/// It behaves like a provider where it matters to payment-channel: it keeps its own records in
/// its own SQLite file (a provider outlives our crashes), it is idempotent on the refund number —
/// a number submitted again is answered with the refund it already has and never pays twice
/// (R-C6) — it refuses refunds beyond the payment, it enforces a per-trade interval like WeChat
/// and Alipay do (R-C7, ``Configuration/orderIntervalMs``), it answers after a latency, settles a
/// refund some time after submission (or closes it at the configured failure rate), lists a
/// day's bill, and notifies (``pendingNotifications(at:)``, ``SandboxNotifier``). Tests steer it
/// with ``Behaviour`` rules: refuse, rate limit, time out after committing, end ABNORMAL or
/// CLOSED, reverse after success, answer with fund_change=Y at once.
public struct SandboxChannelAdapter: ChannelAdapter {
    /// The sandbox's own store (`payment-sandbox.sqlite`).
    public let store: any ServiceDatabase
    public let configuration: Configuration
    private let now: @Sendable () -> Int64
    private let random: @Sendable () -> Double
    private let rules: Rules

    /// How the sandbox answers a refund number (or every number), for tests.
    public struct Behaviour: Sendable {
        /// Refuse the submission for good with this reason and provider code.
        public var refuse: (reason: String, code: String)?
        /// Answer "too many requests" with this hint (nil hint: none given).
        public var rateLimited = false
        public var retryAfterMs: Int64?
        /// Record the refund, then throw as if the answer were lost (R-C6).
        public var timeoutAfterCommit = false
        /// The final state at settle time instead of SUCCESS: `.abnormal` or `.closed`.
        public var finalStatus: ChannelRefundStatus?
        /// After SUCCESS, reverse the refund this long after it settled (R-C8).
        public var reverseAfterMs: Int64?
        /// Answer the submission with the money already moved (Alipay fund_change=Y).
        public var immediateSuccess = false

        public init() {}
    }

    /// An answer lost on the way back (``Behaviour/timeoutAfterCommit``).
    public struct LostAnswer: Error, CustomStringConvertible {
        public var description: String { "the sandbox provider's answer was lost (timeout after commit)" }
    }

    final class Rules: Sendable {
        struct Rule: Sendable {
            var refundNo: String?
            var remaining: Int
            var behaviour: Behaviour
        }
        let rules = Mutex<[Rule]>([])
        let extraBillLines = Mutex<[ProviderBillRecord]>([])

        /// The behaviour for a call about `refundNo`, consuming one use of a counted rule.
        func take(_ refundNo: String) -> Behaviour? {
            rules.withLock { rules in
                guard let index = rules.firstIndex(where: { $0.refundNo == nil || $0.refundNo == refundNo }) else {
                    return nil
                }
                let behaviour = rules[index].behaviour
                if rules[index].remaining > 0 {
                    rules[index].remaining -= 1
                    if rules[index].remaining == 0 { rules.remove(at: index) }
                }
                return behaviour
            }
        }
    }

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
        },
        StoreMigration("payment-sandbox.2.behaviours-notifications") { db in
            try db.execute(
                sql: """
                    ALTER TABLE provider_refunds ADD COLUMN final_status TEXT;
                    ALTER TABLE provider_refunds ADD COLUMN reverse_after_ms INTEGER;
                    ALTER TABLE provider_refunds ADD COLUMN notified_status TEXT;
                    CREATE TABLE provider_submissions (
                        submission_id INTEGER PRIMARY KEY AUTOINCREMENT,
                        refund_no TEXT NOT NULL,
                        payment_id TEXT NOT NULL,
                        at_ms INTEGER NOT NULL,
                        outcome TEXT NOT NULL
                    );
                    """
            )
        },
    ]

    public init(
        store: any ServiceDatabase,
        configuration: Configuration = Configuration(),
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.store = store
        self.configuration = configuration
        self.now = now
        self.random = random
        self.rules = Rules()
    }

    /// Adds a behaviour for `refundNo` (nil: every number) for `times` calls (0: until cleared).
    public func setBehaviour(_ behaviour: Behaviour, for refundNo: String? = nil, times: Int = 0) {
        rules.rules.withLock { $0.append(.init(refundNo: refundNo, remaining: times, behaviour: behaviour)) }
    }

    /// Removes every behaviour rule.
    public func clearBehaviours() {
        rules.rules.withLock { $0.removeAll() }
    }

    /// Adds a line to every bill the sandbox returns (a provider's own mistake, for reconciliation).
    public func addBillLine(_ line: ProviderBillRecord) {
        rules.extraBillLines.withLock { $0.append(line) }
    }

    public func submit(_ request: ChannelRefundRequest) async throws -> ChannelSubmission {
        try await Task.sleep(for: configuration.latency)
        let nowMs = now()
        let payment = request.payment
        let settle = payment.method == .bankCard ? configuration.bankCardSettle : configuration.walletSettle
        let succeeds = random() >= configuration.failureRate
        let behaviour = rules.take(request.refundNo) ?? Behaviour()
        let interval = configuration.orderIntervalMs
        let answer: ChannelSubmission = try await store.write { db in
            func log(_ outcome: String) throws {
                try db.run(
                    "INSERT INTO provider_submissions (refund_no, payment_id, at_ms, outcome) VALUES (?, ?, ?, ?)",
                    [request.refundNo, payment.paymentID, nowMs, outcome]
                )
            }
            if behaviour.rateLimited {
                try log("rate-limited")
                return .rateLimited(retryAfterMs: behaviour.retryAfterMs)
            }
            if try db.value(Int.self, "SELECT 1 FROM provider_refunds WHERE refund_no = ?", [request.refundNo]) != nil {
                // Same number again: the provider answers with what it has; nothing is paid again.
                try db.run(
                    "UPDATE provider_refunds SET submissions = submissions + 1 WHERE refund_no = ?",
                    [request.refundNo]
                )
                try log("duplicate")
                return .accepted(nil)
            }
            if let refusal = behaviour.refuse {
                try log("refused")
                return .refused(reason: refusal.reason, providerCode: refusal.code)
            }
            // R-C7 as the providers enforce it: one refund per trade per interval.
            if interval > 0,
                let last = try db.value(
                    Int64.self,
                    "SELECT MAX(submitted_at_ms) FROM provider_refunds WHERE payment_id = ?",
                    [payment.paymentID]
                ), nowMs - last < interval
            {
                try log("frequency-limited")
                return .rateLimited(retryAfterMs: last + interval - nowMs)
            }
            let refunded =
                try db.value(
                    Int64.self,
                    "SELECT COALESCE(SUM(amount_fen), 0) FROM provider_refunds WHERE payment_id = ? AND succeeds = 1",
                    [payment.paymentID]
                ) ?? 0
            guard request.amountFen > 0,
                RefundCeiling.allows(request.amountFen, capturedFen: payment.amountFen, refundedFen: refunded)
            else {
                try log("refused")
                return .refused(
                    reason: "provider refused: \(request.amountFen) fen exceeds what remains of payment"
                        + " \(payment.paymentID) (\(payment.amountFen - refunded) fen)",
                    providerCode: "NOT_ENOUGH"
                )
            }
            let settlesAt = behaviour.immediateSuccess ? nowMs : nowMs + settle.wholeMilliseconds
            try db.run(
                """
                INSERT INTO provider_refunds
                    (refund_no, payment_id, method, amount_fen, submitted_at_ms, settles_at_ms, succeeds, submissions,
                     final_status, reverse_after_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                """,
                [
                    request.refundNo, payment.paymentID, Int(payment.method.rawValue), request.amountFen, nowMs,
                    settlesAt, succeeds, behaviour.finalStatus?.name, behaviour.reverseAfterMs,
                ]
            )
            try log("accepted")
            return behaviour.immediateSuccess && succeeds ? .accepted(.succeeded(atMs: nowMs)) : .accepted(nil)
        }
        if behaviour.timeoutAfterCommit, case .accepted = answer { throw LostAnswer() }
        return answer
    }

    public func query(_ request: ChannelRefundRequest) async throws -> ChannelRefundStatus {
        try await Task.sleep(for: configuration.latency)
        let nowMs = now()
        return try await store.read { db in
            try Self.status(db, refundNo: request.refundNo, at: nowMs)
        }
    }

    public func bill(day: CivilDate) async throws -> [ProviderBillRecord] {
        let start = configuration.calendar.startOfDay(day)
        let nowMs = now()
        let lines = try await store.read { db in
            try db.rows(
                """
                SELECT refund_no, amount_fen, submitted_at_ms FROM provider_refunds
                WHERE submitted_at_ms >= ? AND submitted_at_ms < ? ORDER BY submitted_at_ms, refund_no
                """,
                [start, start + 86_400_000]
            ).map { row in
                ProviderBillRecord(
                    refundNo: try row["refund_no"],
                    providerRefundID: "SBX" + (try row["refund_no"] as String),
                    amountFen: try row["amount_fen"],
                    status: try Self.status(db, refundNo: try row["refund_no"], at: nowMs),
                    atMs: try row["submitted_at_ms"]
                )
            }
        }
        return lines + rules.extraBillLines.withLock { $0 }
    }

    /// The state of `refundNo` at `nowMs`, as a query answers it.
    static func status(_ db: some SQLSession, refundNo: String, at nowMs: Int64) throws -> ChannelRefundStatus {
        guard
            let row = try db.row(
                "SELECT settles_at_ms, succeeds, final_status, reverse_after_ms FROM provider_refunds WHERE refund_no = ?",
                [refundNo]
            )
        else { return .notFound }
        let settlesAt: Int64 = try row["settles_at_ms"]
        guard nowMs >= settlesAt else { return .processing }
        switch try row["final_status"] as String? {
        case "ABNORMAL": return .abnormal(reason: "the user's card was closed (sandbox ABNORMAL)")
        case "CLOSED": return .closed(reason: "the provider closed refund \(refundNo) (CLOSED; sandbox rule)")
        default: break
        }
        guard try row["succeeds"] as Bool else {
            return .closed(reason: "the provider closed refund \(refundNo) (CLOSED; sandbox failure rate)")
        }
        if let reverseAfter = try row["reverse_after_ms"] as Int64?, nowMs >= settlesAt + reverseAfter {
            return .reversed(reason: "the card issuer returned refund \(refundNo) (sandbox reversal)")
        }
        return .succeeded(atMs: settlesAt)
    }

    /// Refunds whose state changed since the last notification, with the state to notify.
    public func pendingNotifications(
        at nowMs: Int64,
        limit: Int = 100
    ) async throws
        -> [(refundNo: String, status: ChannelRefundStatus)]
    {
        try await store.read { db in
            try db.rows(
                """
                SELECT refund_no FROM provider_refunds
                WHERE settles_at_ms <= ? AND (notified_status IS NULL
                    OR (reverse_after_ms IS NOT NULL AND notified_status != 'REVERSED'
                        AND settles_at_ms + reverse_after_ms <= ?))
                ORDER BY settles_at_ms LIMIT ?
                """,
                [nowMs, nowMs, limit]
            ).map { try $0[0] as String }.compactMap { number -> (String, ChannelRefundStatus)? in
                let status = try Self.status(db, refundNo: number, at: nowMs)
                let notified = try db.value(
                    String.self,
                    "SELECT notified_status FROM provider_refunds WHERE refund_no = ?",
                    [number]
                )
                return notified == status.name ? nil : (number, status)
            }.prefix(limit).map { $0 }
        }
    }

    /// Records that `status` was notified for `refundNo`.
    public func markNotified(refundNo: String, status: ChannelRefundStatus) async throws {
        _ = try await store.write { db in
            try db.run("UPDATE provider_refunds SET notified_status = ? WHERE refund_no = ?", [status.name, refundNo])
        }
    }

    /// Refunds whose money has moved: settled successfully, once per number (reversed ones count:
    /// the money did move once).
    public func paidCount() async throws -> Int {
        let nowMs = now()
        return try await store.read { db in
            try db.value(
                Int.self,
                """
                SELECT COUNT(*) FROM provider_refunds
                WHERE succeeds = 1 AND settles_at_ms <= ? AND (final_status IS NULL)
                """,
                [nowMs]
            ) ?? 0
        }
    }

    /// The money moved for each refund number (fen), for tests' invariants.
    public func paidAmounts() async throws -> [String: Int64] {
        let nowMs = now()
        return try await store.read { db in
            var result: [String: Int64] = [:]
            for row in try db.rows(
                "SELECT refund_no, amount_fen FROM provider_refunds WHERE succeeds = 1 AND settles_at_ms <= ? AND final_status IS NULL",
                [nowMs]
            ) {
                result[try row["refund_no"], default: 0] += try row["amount_fen"] as Int64
            }
            return result
        }
    }

    /// How often `refundNo` was submitted (retries included); 0 if never.
    public func submissions(refundNo: String) async throws -> Int {
        try await store.read { db in
            try db.value(Int.self, "SELECT submissions FROM provider_refunds WHERE refund_no = ?", [refundNo]) ?? 0
        }
    }

    /// Every submission received for a payment's trade: (time, number, outcome), oldest first.
    public func submissionLog(paymentID: String) async throws -> [(atMs: Int64, refundNo: String, outcome: String)] {
        try await store.read { db in
            try db.rows(
                "SELECT at_ms, refund_no, outcome FROM provider_submissions WHERE payment_id = ? ORDER BY submission_id",
                [paymentID]
            ).map { (try $0["at_ms"], try $0["refund_no"], try $0["outcome"]) }
        }
    }
}
