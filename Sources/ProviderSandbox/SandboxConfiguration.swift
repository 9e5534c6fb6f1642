import RefundMeshHosting

/// Everything the sandbox can be told: where it listens and keeps its records, the providers'
/// limits (R-C7), its sandbox times, the notification schedule and the random fault rates.
///
/// Read once from the environment (``init(environment:)``); tests build one in code. Every
/// variable, its default and meaning is listed in docs/SANDBOX.md.
public struct SandboxConfiguration: Sendable {
    /// The R-C7 limits the sandbox enforces the way the real providers do.
    public struct Limits: Sendable, Equatable {
        /// WeChat Pay: requests per second per merchant (token bucket, burst = one second's worth).
        public var wechatMerchantRPS: Int = 150
        /// WeChat Pay: time between two new refunds of one order (`out_trade_no`).
        public var wechatOrderInterval: Duration = .seconds(60)
        /// WeChat Pay: refunds per order.
        public var wechatMaxRefundsPerOrder: Int = 50
        /// WeChat Pay: days after payment during which refunds are accepted.
        public var wechatRefundWindowDays: Int = 365
        /// Alipay: time between two refunds of one trade.
        public var alipayTradeInterval: Duration = .seconds(3)
        /// SMS: time between two messages to one phone.
        public var smsPhoneInterval: Duration = .seconds(1)

        public init() {}
    }

    /// How notifications are delivered: like WeChat Pay's, retried with growing pauses until
    /// answered with 2xx or ``maximumAttempts`` is reached.
    public struct Notifications: Sendable, Equatable {
        /// Pause after the first failed delivery (WeChat Pay: 15 s).
        public var retryInitial: Duration = .seconds(15)
        /// Longest pause between two attempts.
        public var retryMaximum: Duration = .seconds(3600)
        /// Attempts before the sandbox gives up on a notification (WeChat Pay: 15).
        public var maximumAttempts: Int = 15
        /// How long one delivery may take before it counts as failed.
        public var timeout: Duration = .seconds(5)
        /// With `notify_before_answer`: the longest the answer waits for the delivery.
        public var beforeAnswerWait: Duration = .seconds(5)

        public init() {}
    }

    /// Address, port, data folder and log level (`PROVIDER_SANDBOX_*`, `SANDBOX_DATA_DIR`).
    public var host: HostConfiguration
    /// R-C7 limits.
    public var limits = Limits()
    /// Notification delivery.
    public var notifications = Notifications()
    /// Random faults for requests no rule matched.
    public var rates = FaultRates()
    /// How long a `timeout_after_commit` answer stalls (longer than any client waits).
    public var stall: Duration = .seconds(30)
    /// WeChat Pay and Alipay (with `fund_change` N): acceptance to final state.
    public var walletSettle: Duration = .seconds(1)
    /// The length of one sandbox working day: a bank card refund settles after 3-5 of them (R-C3).
    public var bankWorkingDay: Duration = .seconds(1)
    /// How often due settlements and reversals are looked for.
    public var settleTick: Duration = .milliseconds(50)
    /// The total assumed for an Alipay or bank trade that was not registered with
    /// `POST /sandbox/v1/trades` (their refund requests do not carry the total; WeChat's do).
    public var defaultTradeTotalFen: Int64 = 1_000_000
    /// Whether refunds of trades never registered with `POST /sandbox/v1/trades` are refused, as
    /// a provider refuses a refund of a payment it does not know (WeChat 404 RESOURCE_NOT_EXISTS,
    /// Alipay ACQ.TRADE_NOT_EXIST, bank 404 PAYMENT_NOT_FOUND). Default false: trades are created
    /// on their first refund.
    public var requireRegisteredTrades = false
    /// How far a signed request's timestamp may be from the sandbox's clock.
    public var signatureMaximumSkew: Duration = .seconds(300)
    /// The merchant's notify URL as registered with the bank (bank requests carry none); nil: no
    /// bank notifications.
    public var bankNotifyURL: String?
    /// Where key files live (`provider-sandbox keys` writes them); default `<data dir>/keys`.
    public var keysDirectory: String

    /// The SQLite file of the sandbox's records.
    public var databasePath: String { host.databasePath }

    /// A configuration with every default, keeping its records in `dataDirectory`.
    public init(dataDirectory: String, port: Int = 0) {
        host = HostConfiguration(serviceName: "provider-sandbox", port: port, dataDirectory: dataDirectory)
        keysDirectory = dataDirectory + "/keys"
    }

    /// Reads `PROVIDER_SANDBOX_HOST` / `_PORT` / `_LOG_LEVEL`, `SANDBOX_DATA_DIR` (or
    /// `PROVIDER_SANDBOX_DATA_DIR`, `REFUNDMESH_DATA_DIR`) and the `SANDBOX_*` variables over
    /// the defaults.
    /// - Throws: `HostConfigurationError` or ``SandboxConfigurationError`` naming the malformed variable.
    public init(environment: [String: String]) throws {
        var host = try HostConfiguration(serviceName: "provider-sandbox", defaultPort: 7080, environment: environment)
        if let directory = environment["SANDBOX_DATA_DIR"], !directory.isEmpty { host.dataDirectory = directory }
        self.host = host
        keysDirectory = host.dataDirectory + "/keys"
        let env = EnvironmentReader(environment)
        if let value = try env.milliseconds("SANDBOX_STALL_MS") { stall = value }
        if let value = try env.milliseconds("SANDBOX_WALLET_SETTLE_MS") { walletSettle = value }
        if let value = try env.milliseconds("SANDBOX_BANK_WORKING_DAY_MS") { bankWorkingDay = value }
        if let value = try env.milliseconds("SANDBOX_SETTLE_TICK_MS", minimum: 1) { settleTick = value }
        if let value = try env.integer("SANDBOX_DEFAULT_TRADE_TOTAL_FEN", minimum: 1) {
            defaultTradeTotalFen = Int64(value)
        }
        if let text = environment["SANDBOX_REQUIRE_REGISTERED_TRADES"], !text.isEmpty {
            guard let value = Bool(text.lowercased()) else {
                throw SandboxConfigurationError(
                    variable: "SANDBOX_REQUIRE_REGISTERED_TRADES",
                    value: text,
                    expected: "true or false"
                )
            }
            requireRegisteredTrades = value
        }
        if let value = try env.integer("SANDBOX_SIGNATURE_MAX_SKEW_S", minimum: 0) {
            signatureMaximumSkew = .seconds(value)
        }
        if let directory = environment["SANDBOX_KEYS_DIR"], !directory.isEmpty { keysDirectory = directory }
        if let url = environment["SANDBOX_BANK_NOTIFY_URL"], !url.isEmpty { bankNotifyURL = url }

        if let value = try env.integer("SANDBOX_WECHAT_MERCHANT_RPS", minimum: 1) { limits.wechatMerchantRPS = value }
        if let value = try env.milliseconds("SANDBOX_WECHAT_ORDER_INTERVAL_MS") { limits.wechatOrderInterval = value }
        if let value = try env.integer("SANDBOX_WECHAT_MAX_REFUNDS_PER_ORDER", minimum: 1) {
            limits.wechatMaxRefundsPerOrder = value
        }
        if let value = try env.integer("SANDBOX_WECHAT_REFUND_WINDOW_DAYS", minimum: 1) {
            limits.wechatRefundWindowDays = value
        }
        if let value = try env.milliseconds("SANDBOX_ALIPAY_TRADE_INTERVAL_MS") { limits.alipayTradeInterval = value }
        if let value = try env.milliseconds("SANDBOX_SMS_PHONE_INTERVAL_MS") { limits.smsPhoneInterval = value }

        if let value = try env.milliseconds("SANDBOX_NOTIFY_RETRY_INITIAL_MS", minimum: 1) {
            notifications.retryInitial = value
        }
        if let value = try env.milliseconds("SANDBOX_NOTIFY_RETRY_MAX_MS", minimum: 1) {
            notifications.retryMaximum = value
        }
        if let value = try env.integer("SANDBOX_NOTIFY_MAX_ATTEMPTS", minimum: 1) {
            notifications.maximumAttempts = value
        }
        if let value = try env.milliseconds("SANDBOX_NOTIFY_TIMEOUT_MS", minimum: 1) { notifications.timeout = value }
        if let value = try env.milliseconds("SANDBOX_NOTIFY_BEFORE_ANSWER_WAIT_MS") {
            notifications.beforeAnswerWait = value
        }

        if let value = try env.rate("SANDBOX_RATE_TIMEOUT_AFTER_COMMIT") { rates.timeoutAfterCommit = value }
        if let value = try env.rate("SANDBOX_RATE_FAIL") { rates.fail = value }
        if let value = try env.rate("SANDBOX_RATE_ABNORMAL") { rates.abnormal = value }
        if let value = try env.rate("SANDBOX_RATE_CLOSED") { rates.closed = value }
        if let value = try env.rate("SANDBOX_RATE_DUPLICATE_NOTIFICATIONS") { rates.duplicateNotifications = value }
        if let value = try env.rate("SANDBOX_RATE_OUT_OF_ORDER") { rates.outOfOrder = value }
        if let value = try env.rate("SANDBOX_RATE_NOTIFY_BEFORE_ANSWER") { rates.notifyBeforeAnswer = value }
        if let value = try env.rate("SANDBOX_RATE_REVERSE") { rates.reverse = value }
        if let value = try env.integer("SANDBOX_LATENCY_MS", minimum: 0) { rates.latencyMs = value }
        if let value = try env.integer("SANDBOX_SETTLE_AFTER_MS", minimum: 0) { rates.settleAfterMs = value }
        if let value = try env.integer("SANDBOX_REVERSE_AFTER_MS", minimum: 0) { rates.reverseAfterMs = value }
        if let text = environment["SANDBOX_SEED"], !text.isEmpty {
            guard let seed = UInt64(text) else {
                throw SandboxConfigurationError(variable: "SANDBOX_SEED", value: text, expected: "an unsigned integer")
            }
            rates.seed = seed
        }
    }
}

/// Reads typed values from environment variables, naming the variable in every error.
struct EnvironmentReader {
    let environment: [String: String]

    init(_ environment: [String: String]) { self.environment = environment }

    func integer(_ variable: String, minimum: Int) throws -> Int? {
        guard let text = environment[variable], !text.isEmpty else { return nil }
        guard let value = Int(text), value >= minimum else {
            throw SandboxConfigurationError(variable: variable, value: text, expected: "an integer ≥ \(minimum)")
        }
        return value
    }

    func milliseconds(_ variable: String, minimum: Int = 0) throws -> Duration? {
        guard let text = environment[variable], !text.isEmpty else { return nil }
        guard let value = Int64(text), value >= minimum else {
            throw SandboxConfigurationError(variable: variable, value: text, expected: "milliseconds ≥ \(minimum)")
        }
        return .milliseconds(value)
    }

    func rate(_ variable: String) throws -> Double? {
        guard let text = environment[variable], !text.isEmpty else { return nil }
        guard let value = Double(text), (0...1).contains(value) else {
            throw SandboxConfigurationError(variable: variable, value: text, expected: "a number from 0 to 1")
        }
        return value
    }
}

extension Duration {
    /// Whole milliseconds (rounded down).
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// A `SANDBOX_*` setting that could not be read (RefundMeshHosting's one settings error).
public typealias SandboxConfigurationError = HostConfigurationError
