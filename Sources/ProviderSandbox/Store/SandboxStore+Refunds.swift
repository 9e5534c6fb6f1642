import Foundation
import GRDB
import RefundMeshStore

/// A refund request as every provider's route hands it over.
struct RefundSubmission: Sendable {
    var provider: ProviderKind
    var merchant: String
    var refundNo: String
    var tradeNo: String
    var amountFen: Int64
    /// The trade's total when the request carries it (WeChat `amount.total`).
    var totalFen: Int64?
    var notifyURL: String?
    var reason: String?
}

/// The limits a provider applies to one trade (R-C7).
struct TradeLimits: Sendable {
    var minimumInterval: Duration?
    var maximumRefunds: Int?
    var windowDays: Int?
}

/// How an accepted refund will play out, decided from its ``Behaviour``.
struct RefundPlan: Sendable {
    var finalState: RefundState
    /// Time from acceptance to the final state; 0 settles inside the accepting transaction.
    var settleAfterMs: Int64
    var reverseAfterMs: Int64?
    var duplicateNotifications: Int
    var outOfOrder: Bool
}

/// Why a refund request was not accepted, in the provider-neutral words the routes translate.
enum RefundRefusal: Sendable, Equatable {
    /// R-C7: too soon after the trade's last refund.
    case tooSoon(waitMs: Int64)
    /// R-C7: the trade has had as many refunds as the provider allows.
    case tooManyRefunds(limit: Int)
    /// R-C7: the trade was paid longer ago than the provider refunds.
    case windowClosed(paidAtMs: Int64, days: Int)
    /// R-C5: the amount is more than what is left of the trade.
    case exceedsTrade(requestedFen: Int64, remainingFen: Int64)
    /// The request's total differs from the trade's.
    case totalMismatch(knownFen: Int64, givenFen: Int64)
    /// The refund number exists with another amount or trade.
    case discordantRepeat(existing: ProviderRefund)
    /// The trade was never registered and the sandbox requires registration
    /// (`SANDBOX_REQUIRE_REGISTERED_TRADES`).
    case unknownTrade
}

/// What became of a refund request.
enum SubmitResult: Sendable {
    /// A new refund; `notifications` are the event ids enqueued if it settled at once.
    case accepted(ProviderRefund, notifications: [String])
    /// The refund number was known: its refund, unchanged (nothing moved again, R-C6).
    case existing(ProviderRefund)
    case refused(RefundRefusal)
}

extension SandboxStore {
    /// Records a refund request in one transaction: the same refund number again answers the
    /// refund it already has (R-C6); a new one is checked against the trade's limits (R-C7) and
    /// what is left of its total (R-C5), then recorded and, with a zero settle time, settled.
    /// - Parameter defaultTotalFen: The total of a trade seen for the first time when the request
    ///   does not carry one; nil refuses trades that were not registered.
    func submit(
        _ submission: RefundSubmission,
        plan: RefundPlan,
        limits: TradeLimits,
        defaultTotalFen: Int64?,
        now: Int64
    ) async throws -> SubmitResult {
        try await store.write { db in
            try Self.submit(db, submission, plan: plan, limits: limits, defaultTotalFen: defaultTotalFen, now: now)
        }
    }

    private static func submit(
        _ db: Database,
        _ submission: RefundSubmission,
        plan: RefundPlan,
        limits: TradeLimits,
        defaultTotalFen: Int64?,
        now: Int64
    ) throws -> SubmitResult {
        if let existing = try refund(db, provider: submission.provider, refundNo: submission.refundNo) {
            guard existing.amountFen == submission.amountFen, existing.tradeNo == submission.tradeNo else {
                try Counter.refused.add(in: db)
                return .refused(.discordantRepeat(existing: existing))
            }
            try db.execute(
                sql: "UPDATE refunds SET submissions = submissions + 1 WHERE provider = ? AND refund_no = ?",
                arguments: [submission.provider.rawValue, submission.refundNo]
            )
            try Counter.duplicatesRefused.add(in: db)
            var answered = existing
            answered.submissions += 1
            return .existing(answered)
        }
        var trade = try self.trade(db, provider: submission.provider, tradeNo: submission.tradeNo)
        if trade == nil {
            guard let defaultTotalFen else {
                try Counter.refused.add(in: db)
                return .refused(.unknownTrade)
            }
            let created = ProviderTrade(
                provider: submission.provider,
                tradeNo: submission.tradeNo,
                merchant: submission.merchant,
                totalFen: submission.totalFen ?? defaultTotalFen,
                paidAtMs: now
            )
            try insert(db, trade: created)
            trade = created
        }
        guard let trade else { preconditionFailure("trade was just created") }
        if let refusal = try check(submission, trade: trade, limits: limits, now: now) {
            try (refusal.isRateLimit ? Counter.rateLimited : Counter.refused).add(in: db)
            return .refused(refusal)
        }
        let settleAt = now + plan.settleAfterMs
        try db.execute(
            sql: """
                INSERT INTO refunds (provider, refund_no, provider_refund_id, merchant, trade_no, amount_fen,
                    trade_total_fen, state, final_state, notify_url, reason, created_at_ms, settle_at_ms,
                    reverse_after_ms, duplicate_notifications, out_of_order)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'PROCESSING', ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                submission.provider.rawValue, submission.refundNo, providerRefundID(submission, now: now),
                submission.merchant, submission.tradeNo, submission.amountFen, trade.totalFen,
                plan.finalState.rawValue, submission.notifyURL, submission.reason, now, settleAt,
                plan.reverseAfterMs, plan.duplicateNotifications, plan.outOfOrder,
            ]
        )
        // R-C5: the amount is reserved against the trade from acceptance; CLOSED and reversals give it back.
        try db.execute(
            sql: """
                UPDATE trades SET refunded_fen = refunded_fen + ?, refund_count = refund_count + 1,
                    last_refund_at_ms = ?
                WHERE provider = ? AND trade_no = ?
                """,
            arguments: [submission.amountFen, now, submission.provider.rawValue, submission.tradeNo]
        )
        var notifications: [String] = []
        if plan.settleAfterMs == 0,
            let recorded = try refund(db, provider: submission.provider, refundNo: submission.refundNo)
        {
            notifications = try settle(db, recorded, now: now) ?? []
        }
        guard let accepted = try refund(db, provider: submission.provider, refundNo: submission.refundNo) else {
            preconditionFailure("refund was just inserted")
        }
        return .accepted(accepted, notifications: notifications)
    }

    private static func check(
        _ submission: RefundSubmission,
        trade: ProviderTrade,
        limits: TradeLimits,
        now: Int64
    ) throws -> RefundRefusal? {
        if let total = submission.totalFen, total != trade.totalFen {
            return .totalMismatch(knownFen: trade.totalFen, givenFen: total)
        }
        if let days = limits.windowDays, now - trade.paidAtMs > Int64(days) * 86_400_000 {
            return .windowClosed(paidAtMs: trade.paidAtMs, days: days)
        }
        if let maximum = limits.maximumRefunds, trade.refundCount >= maximum {
            return .tooManyRefunds(limit: maximum)
        }
        if let interval = limits.minimumInterval, let last = trade.lastRefundAtMs {
            let wait = last + interval.milliseconds - now
            if wait > 0 { return .tooSoon(waitMs: wait) }
        }
        let remaining = trade.totalFen - trade.refundedFen
        if submission.amountFen > remaining {
            return .exceedsTrade(requestedFen: submission.amountFen, remainingFen: remaining)
        }
        return nil
    }

    private static func providerRefundID(_ submission: RefundSubmission, now: Int64) -> String {
        let prefix =
            switch submission.provider {
            case .wechat: "50300"
            case .alipay: "2026"
            default: "BK"
            }
        return prefix + String(now) + String(UUID().uuidString.prefix(8).filter(\.isHexDigit))
    }

    /// Moves a PROCESSING refund to its final state (once: the update is guarded by the state)
    /// and enqueues its notifications; returns their event ids, or nil if it was not PROCESSING.
    static func settle(_ db: Database, _ refund: ProviderRefund, now: Int64) throws -> [String]? {
        let success = refund.finalState == .success
        try db.execute(
            sql: """
                UPDATE refunds SET state = final_state, settled_at_ms = ?,
                    money_moved = money_moved + ?,
                    reverse_at_ms = CASE WHEN ? AND reverse_after_ms IS NOT NULL THEN ? + reverse_after_ms END
                WHERE provider = ? AND refund_no = ? AND state = 'PROCESSING'
                """,
            arguments: [now, success ? 1 : 0, success, now, refund.provider.rawValue, refund.refundNo]
        )
        guard db.changesCount == 1 else { return nil }
        if refund.finalState == .closed {
            try release(db, refund)
        }
        return try enqueueNotifications(db, refund, state: refund.finalState, stale: .processing, now: now)
    }

    /// Reverses a SUCCESS refund (R-C8): WeChat ABNORMAL, bank RETURNED; the amount goes back to
    /// the trade. Returns the notifications' event ids, or nil if it was not reversible.
    static func reverse(_ db: Database, _ refund: ProviderRefund, now: Int64) throws -> [String]? {
        try db.execute(
            sql: """
                UPDATE refunds SET state = 'ABNORMAL', reversed = 1, reversed_at_ms = ?, reverse_at_ms = NULL
                WHERE provider = ? AND refund_no = ? AND state = 'SUCCESS' AND reversed = 0
                """,
            arguments: [now, refund.provider.rawValue, refund.refundNo]
        )
        guard db.changesCount == 1 else { return nil }
        try release(db, refund)
        return try enqueueNotifications(db, refund, state: .abnormal, stale: .success, now: now)
    }

    private static func release(_ db: Database, _ refund: ProviderRefund) throws {
        try db.execute(
            sql: "UPDATE trades SET refunded_fen = refunded_fen - ? WHERE provider = ? AND trade_no = ?",
            arguments: [refund.amountFen, refund.provider.rawValue, refund.tradeNo]
        )
    }

    /// Settles the refunds whose time has come and reverses those whose scripted reversal is
    /// due, each in its own transaction; returns how many changed.
    func settleDue(now: Int64) async throws -> Int {
        let due = try await store.read { db in
            try ProviderRefund.fetchAll(
                db,
                sql: """
                    SELECT * FROM refunds WHERE state = 'PROCESSING' AND settle_at_ms <= ?
                    UNION ALL
                    SELECT * FROM refunds WHERE reverse_at_ms IS NOT NULL AND reverse_at_ms <= ? AND state = 'SUCCESS'
                    LIMIT 500
                    """,
                arguments: [now, now]
            )
        }
        var changed = 0
        for refund in due {
            let moved = try await store.writeIgnoringCancellation { db -> Bool in
                guard let current = try Self.refund(db, provider: refund.provider, refundNo: refund.refundNo) else {
                    return false
                }
                if current.state == .processing {
                    return try Self.settle(db, current, now: now) != nil
                }
                return try Self.reverse(db, current, now: now) != nil
            }
            if moved { changed += 1 }
        }
        return changed
    }

    /// One refund by provider and number.
    func refund(provider: ProviderKind, refundNo: String) async throws -> ProviderRefund? {
        try await store.read { db in try Self.refund(db, provider: provider, refundNo: refundNo) }
    }

    static func refund(_ db: Database, provider: ProviderKind, refundNo: String) throws -> ProviderRefund? {
        try ProviderRefund.fetchOne(
            db,
            sql: "SELECT * FROM refunds WHERE provider = ? AND refund_no = ?",
            arguments: [provider.rawValue, refundNo]
        )
    }

    /// Every refund, optionally of one provider, oldest first.
    public func refunds(provider: ProviderKind? = nil) async throws -> [ProviderRefund] {
        try await store.read { db in
            if let provider {
                return try ProviderRefund.fetchAll(
                    db,
                    sql: "SELECT * FROM refunds WHERE provider = ? ORDER BY created_at_ms, rowid",
                    arguments: [provider.rawValue]
                )
            }
            return try ProviderRefund.fetchAll(db, sql: "SELECT * FROM refunds ORDER BY created_at_ms, rowid")
        }
    }

    /// One trade by provider and number.
    func trade(provider: ProviderKind, tradeNo: String) async throws -> ProviderTrade? {
        try await store.read { db in try Self.trade(db, provider: provider, tradeNo: tradeNo) }
    }

    static func trade(_ db: Database, provider: ProviderKind, tradeNo: String) throws -> ProviderTrade? {
        try ProviderTrade.fetchOne(
            db,
            sql: "SELECT * FROM trades WHERE provider = ? AND trade_no = ?",
            arguments: [provider.rawValue, tradeNo]
        )
    }

    private static func insert(_ db: Database, trade: ProviderTrade) throws {
        try db.execute(
            sql: """
                INSERT INTO trades (provider, trade_no, merchant, total_fen, refunded_fen, refund_count, paid_at_ms)
                VALUES (?, ?, ?, ?, 0, 0, ?)
                """,
            arguments: [trade.provider.rawValue, trade.tradeNo, trade.merchant, trade.totalFen, trade.paidAtMs]
        )
    }

    /// Registers a trade (its total and payment time) before its refunds, as the provider would
    /// know it from the payment. Fails if the trade already has refunds.
    /// - Throws: ``SandboxRequestError`` if refunds of the trade exist.
    public func register(_ trade: ProviderTrade) async throws {
        try await store.write { db in
            if let known = try Self.trade(db, provider: trade.provider, tradeNo: trade.tradeNo), known.refundCount > 0 {
                throw SandboxRequestError(
                    "trade \(trade.tradeNo) at \(trade.provider.rawValue) already has \(known.refundCount) refunds;"
                        + " register trades before refunding them"
                )
            }
            try db.execute(
                sql: "DELETE FROM trades WHERE provider = ? AND trade_no = ?",
                arguments: [trade.provider.rawValue, trade.tradeNo]
            )
            try Self.insert(db, trade: trade)
        }
    }

    /// Every trade, optionally of one provider.
    public func trades(provider: ProviderKind? = nil) async throws -> [ProviderTrade] {
        try await store.read { db in
            try ProviderTrade.fetchAll(
                db,
                sql: "SELECT * FROM trades WHERE ?1 IS NULL OR provider = ?1 ORDER BY rowid",
                arguments: [provider?.rawValue]
            )
        }
    }
}

extension RefundRefusal {
    /// Whether this is an R-C7 frequency refusal (counted as a rate-limit answer).
    var isRateLimit: Bool {
        if case .tooSoon = self { return true }
        return false
    }
}
