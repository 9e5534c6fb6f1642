import GRDB

/// A refund state as the sandbox keeps it; each provider presents it in its own words
/// (WeChat the same names, Alipay `REFUND_SUCCESS`, the bank ACCEPTED/SETTLED/RETURNED).
public enum RefundState: String, Codable, Sendable {
    /// Accepted; the money has not moved yet.
    case processing = "PROCESSING"
    /// The money moved to the payer.
    case success = "SUCCESS"
    /// Closed without moving money.
    case closed = "CLOSED"
    /// WeChat's ABNORMAL: stuck (the payer's account refused it) or, with ``ProviderRefund/reversed``,
    /// reversed after success (R-C8).
    case abnormal = "ABNORMAL"
}

/// One refund number at one provider, as the sandbox recorded it: the truth tests compare
/// against (R-C5, R-C6). Listed by `GET /sandbox/v1/refunds`.
public struct ProviderRefund: Codable, Sendable, Equatable {
    public var provider: ProviderKind
    /// WeChat `out_refund_no`, Alipay `out_request_no`, bank `refund_no`.
    public var refundNo: String
    /// The provider's own id for the refund (WeChat `refund_id`).
    public var providerRefundID: String
    /// WeChat `mchid`, Alipay `app_id`, bank `merchant_id`.
    public var merchant: String
    /// WeChat `out_trade_no`/`transaction_id`, Alipay `out_trade_no`, bank `card_payment_id`.
    public var tradeNo: String
    public var amountFen: Int64
    /// The trade's total when the refund was accepted.
    public var tradeTotalFen: Int64
    public var state: RefundState
    /// What the refund becomes when it settles.
    public var finalState: RefundState
    /// How many requests carried this refund number (the first included).
    public var submissions: Int
    /// How many times money moved for this refund number: 0 or 1, never more (R-C5).
    public var moneyMoved: Int
    /// Whether the provider took the refund back after success (R-C8).
    public var reversed: Bool
    /// Notifications delivered (answered 2xx) for this refund, duplicates included.
    public var notificationsSent: Int
    public var notifyURL: String?
    public var reason: String?
    public var createdAtMs: Int64
    /// When it settles (or settled).
    public var settleAtMs: Int64
    public var settledAtMs: Int64?
    /// When a scripted reversal is due, if one is.
    public var reverseAtMs: Int64?
    public var reversedAtMs: Int64?
    /// Extra copies of each notification (R-C9).
    public var duplicateNotifications: Int
    /// Whether a stale notification follows the final one (R-C9).
    public var outOfOrder: Bool

    enum CodingKeys: String, CodingKey {
        case provider
        case refundNo = "refund_no"
        case providerRefundID = "provider_refund_id"
        case merchant
        case tradeNo = "trade_no"
        case amountFen = "amount_fen"
        case tradeTotalFen = "trade_total_fen"
        case state
        case finalState = "final_state"
        case submissions
        case moneyMoved = "money_moved"
        case reversed
        case notificationsSent = "notifications_sent"
        case notifyURL = "notify_url"
        case reason
        case createdAtMs = "created_at_ms"
        case settleAtMs = "settle_at_ms"
        case settledAtMs = "settled_at_ms"
        case reverseAtMs = "reverse_at_ms"
        case reversedAtMs = "reversed_at_ms"
        case duplicateNotifications = "duplicate_notifications"
        case outOfOrder = "out_of_order"
    }
}

extension ProviderRefund: FetchableRecord {
    public init(row: Row) throws {
        let provider: String = row["provider"]
        let state: String = row["state"]
        let finalState: String = row["final_state"]
        self.init(
            provider: ProviderKind(rawValue: provider) ?? .wechat,
            refundNo: row["refund_no"],
            providerRefundID: row["provider_refund_id"],
            merchant: row["merchant"],
            tradeNo: row["trade_no"],
            amountFen: row["amount_fen"],
            tradeTotalFen: row["trade_total_fen"],
            state: RefundState(rawValue: state) ?? .processing,
            finalState: RefundState(rawValue: finalState) ?? .success,
            submissions: row["submissions"],
            moneyMoved: row["money_moved"],
            reversed: row["reversed"],
            notificationsSent: row["notifications_sent"],
            notifyURL: row["notify_url"],
            reason: row["reason"],
            createdAtMs: row["created_at_ms"],
            settleAtMs: row["settle_at_ms"],
            settledAtMs: row["settled_at_ms"],
            reverseAtMs: row["reverse_at_ms"],
            reversedAtMs: row["reversed_at_ms"],
            duplicateNotifications: row["duplicate_notifications"],
            outOfOrder: row["out_of_order"]
        )
    }
}

/// A payment the sandbox knows: its total and what has been refunded of it (R-C5).
public struct ProviderTrade: Codable, Sendable, Equatable {
    public var provider: ProviderKind
    public var tradeNo: String
    public var merchant: String
    public var totalFen: Int64
    /// Accepted refunds not closed or reversed: never more than ``totalFen``.
    public var refundedFen: Int64
    public var refundCount: Int
    public var paidAtMs: Int64
    public var lastRefundAtMs: Int64?

    public init(
        provider: ProviderKind,
        tradeNo: String,
        merchant: String,
        totalFen: Int64,
        refundedFen: Int64 = 0,
        refundCount: Int = 0,
        paidAtMs: Int64,
        lastRefundAtMs: Int64? = nil
    ) {
        self.provider = provider
        self.tradeNo = tradeNo
        self.merchant = merchant
        self.totalFen = totalFen
        self.refundedFen = refundedFen
        self.refundCount = refundCount
        self.paidAtMs = paidAtMs
        self.lastRefundAtMs = lastRefundAtMs
    }

    enum CodingKeys: String, CodingKey {
        case provider
        case tradeNo = "trade_no"
        case merchant
        case totalFen = "total_fen"
        case refundedFen = "refunded_fen"
        case refundCount = "refund_count"
        case paidAtMs = "paid_at_ms"
        case lastRefundAtMs = "last_refund_at_ms"
    }
}

extension ProviderTrade: FetchableRecord {
    public init(row: Row) throws {
        let provider: String = row["provider"]
        self.init(
            provider: ProviderKind(rawValue: provider) ?? .wechat,
            tradeNo: row["trade_no"],
            merchant: row["merchant"],
            totalFen: row["total_fen"],
            refundedFen: row["refunded_fen"],
            refundCount: row["refund_count"],
            paidAtMs: row["paid_at_ms"],
            lastRefundAtMs: row["last_refund_at_ms"]
        )
    }
}
