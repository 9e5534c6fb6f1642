import RefundMeshAPI
import RefundMeshHosting

/// payment-channel's own settings beyond the refund policy: reconciliation schedule (R-C6),
/// throttling and provider limits (R-C7), escalation and submission leases. Read once from the
/// environment (``init(environment:)``); tests build it directly.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `PAYMENT_RECONCILE_FIRST_MS` | 60000 | first provider query after sending |
/// | `PAYMENT_RECONCILE_MAX_MS` | 1800000 | the query interval doubles up to this |
/// | `PAYMENT_STUCK_GRACE_MS` | 3600000 | past expected arrival + this, a refund is escalated once |
/// | `PAYMENT_OPERATORS_RECIPIENT` | payment-operators | the notification inbox that hears of alerts |
/// | `PAYMENT_SUBMISSION_LEASE_MS` | 30000 | a submission in flight blocks others of the payment this long |
/// | `PAYMENT_RATE_LIMITED_RETRY_MS` | 1000 | wait after a provider's "too many requests" without a hint |
/// | `PAYMENT_THROTTLE_WECHAT_RPS` | 150 | WeChat Pay calls per second per merchant |
/// | `PAYMENT_THROTTLE_ALIPAY_RPS` | 100 | Alipay calls per second per merchant |
/// | `PAYMENT_THROTTLE_BANK_RPS` | 50 | bank card calls per second per merchant |
/// | `PAYMENT_THROTTLE_WECHAT_ORDER_INTERVAL_MS` | 60000 | between refund submissions of one WeChat trade |
/// | `PAYMENT_THROTTLE_ALIPAY_ORDER_INTERVAL_MS` | 3000 | between refund submissions of one Alipay trade |
/// | `PAYMENT_THROTTLE_BANK_ORDER_INTERVAL_MS` | 0 | between refund submissions of one card payment |
/// | `PAYMENT_WECHAT_MAX_REFUNDS_PER_ORDER` | 50 | WeChat's partial refunds per trade |
/// | `PAYMENT_WECHAT_REFUND_WINDOW_DAYS` | 365 | WeChat accepts refunds this many days after payment |
public struct PaymentChannelConfiguration: Sendable, Hashable {
    /// R-C6: first query this long after sending; then ×2 up to ``reconcileMaxMs``.
    public var reconcileFirstMs: Int64 = 60_000
    public var reconcileMaxMs: Int64 = 1_800_000
    /// R-C6: a refund not final by its expected arrival plus this is escalated, once.
    public var stuckGraceMs: Int64 = 3_600_000
    /// Who hears of alerts (a notification recipient, like review's supervisors).
    public var operatorsRecipient: String = "payment-operators"
    /// R-C5: how long a submission blocks the other refunds of its payment (longer than any call).
    public var submissionLeaseMs: Int64 = 30_000
    /// R-C7: the wait after a rate-limited answer that gave no hint.
    public var rateLimitedRetryMs: Int64 = 1_000
    /// R-C7: calls per second per channel and merchant (token bucket, one second of burst).
    public var callsPerSecond: [PaymentMethod: Double] = [.wechatPay: 150, .alipay: 100, .bankCard: 50]
    /// R-C7: least time between refund submissions of one trade (WeChat one a minute, Alipay 3 s).
    public var orderIntervalMs: [PaymentMethod: Int64] = [.wechatPay: 60_000, .alipay: 3_000, .bankCard: 0]
    /// R-C7: WeChat's 50 partial refunds per trade and 365 days after payment.
    public var wechatMaxRefundsPerOrder: Int = 50
    public var wechatRefundWindowDays: Int = 365

    public init() {}

    /// Reads the variables in the table over the defaults.
    /// - Throws: ``PaymentConfigurationError`` naming the malformed variable.
    public init(environment: [String: String]) throws {
        self.init()
        func int(_ name: String, _ range: ClosedRange<Int64>) throws -> Int64? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int64(text), range.contains(value) else {
                throw PaymentConfigurationError(
                    variable: name,
                    value: text,
                    expected: "an integer in \(range.lowerBound)...\(range.upperBound)"
                )
            }
            return value
        }
        let day: Int64 = 86_400_000
        if let v = try int("PAYMENT_RECONCILE_FIRST_MS", 1...day) { reconcileFirstMs = v }
        if let v = try int("PAYMENT_RECONCILE_MAX_MS", 1...(7 * day)) { reconcileMaxMs = v }
        if reconcileMaxMs < reconcileFirstMs {
            throw PaymentConfigurationError(
                variable: "PAYMENT_RECONCILE_MAX_MS",
                value: "\(reconcileMaxMs)",
                expected: "at least PAYMENT_RECONCILE_FIRST_MS (\(reconcileFirstMs))"
            )
        }
        if let v = try int("PAYMENT_STUCK_GRACE_MS", 0...(30 * day)) { stuckGraceMs = v }
        if let v = environment["PAYMENT_OPERATORS_RECIPIENT"], !v.isEmpty { operatorsRecipient = v }
        if let v = try int("PAYMENT_SUBMISSION_LEASE_MS", 100...day) { submissionLeaseMs = v }
        if let v = try int("PAYMENT_RATE_LIMITED_RETRY_MS", 1...day) { rateLimitedRetryMs = v }
        for (method, name) in [(PaymentMethod.wechatPay, "WECHAT"), (.alipay, "ALIPAY"), (.bankCard, "BANK")] {
            if let v = try int("PAYMENT_THROTTLE_\(name)_RPS", 1...100_000) { callsPerSecond[method] = Double(v) }
            if let v = try int("PAYMENT_THROTTLE_\(name)_ORDER_INTERVAL_MS", 0...day) { orderIntervalMs[method] = v }
        }
        if let v = try int("PAYMENT_WECHAT_MAX_REFUNDS_PER_ORDER", 1...1000) { wechatMaxRefundsPerOrder = Int(v) }
        if let v = try int("PAYMENT_WECHAT_REFUND_WINDOW_DAYS", 1...3650) { wechatRefundWindowDays = Int(v) }
    }

    /// The query interval after `previous` (nil: the first), doubling up to the maximum (R-C6).
    public func nextQueryInterval(after previous: Int64?) -> Int64 {
        guard let previous else { return reconcileFirstMs }
        return min(max(previous, 1).multipliedReportingOverflow(by: 2).partialValue, reconcileMaxMs)
    }
}

/// A payment-channel setting that could not be read (RefundMeshHosting's one settings error).
public typealias PaymentConfigurationError = HostConfigurationError
