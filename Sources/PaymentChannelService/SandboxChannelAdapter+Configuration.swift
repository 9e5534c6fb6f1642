import RefundMeshDomain
import RefundMeshHosting

extension SandboxChannelAdapter {
    /// How the sandbox behaves. Its times are sandbox time: they stand in for the minutes a
    /// wallet provider takes to confirm and the days a bank card takes (R-C3), scaled down so a
    /// whole refund runs in a test.
    ///
    /// | variable | default | meaning |
    /// |---|---|---|
    /// | `PAYMENT_SANDBOX_LATENCY_MILLIS` | 5 | each call's round trip |
    /// | `PAYMENT_SANDBOX_SETTLE_MILLIS` | 200 (wallets), 600 (bank cards) | submission to final state; when set, bank cards take 3× |
    /// | `PAYMENT_SANDBOX_FAILURE_RATE` | 0 | share of accepted refunds the provider later closes (0…1) |
    /// | `PAYMENT_SANDBOX_ORDER_INTERVAL_MS` | 0 | the sandbox answers "too many requests" to a second refund of a trade sooner (R-C7) |
    public struct Configuration: Sendable, Hashable {
        public var latency: Duration
        /// WeChat Pay and Alipay: stands in for the provider's minutes.
        public var walletSettle: Duration
        /// Bank cards: stands in for 3-5 working days.
        public var bankCardSettle: Duration
        /// 0 … 1.
        public var failureRate: Double
        /// R-C7 as a provider enforces it: least time between refunds of one trade (0: none).
        public var orderIntervalMs: Int64 = 0
        /// The day boundaries of ``SandboxChannelAdapter/bill(day:)``.
        public var calendar = WorkingCalendar()

        public init(
            latency: Duration = .milliseconds(5),
            walletSettle: Duration = .milliseconds(200),
            bankCardSettle: Duration = .milliseconds(600),
            failureRate: Double = 0
        ) {
            self.latency = latency
            self.walletSettle = walletSettle
            self.bankCardSettle = bankCardSettle
            self.failureRate = min(max(failureRate, 0), 1)
        }

        /// Reads the variables above over the defaults.
        /// - Throws: ``SandboxConfigurationError`` naming a malformed variable.
        public init(environment: [String: String]) throws {
            self.init()
            if let millis = try Self.millis("PAYMENT_SANDBOX_LATENCY_MILLIS", environment) {
                latency = .milliseconds(millis)
            }
            if let millis = try Self.millis("PAYMENT_SANDBOX_SETTLE_MILLIS", environment) {
                walletSettle = .milliseconds(millis)
                bankCardSettle = .milliseconds(millis * 3)
            }
            if let millis = try Self.millis("PAYMENT_SANDBOX_ORDER_INTERVAL_MS", environment) {
                orderIntervalMs = millis
            }
            if let text = environment["PAYMENT_SANDBOX_FAILURE_RATE"], !text.isEmpty {
                guard let rate = Double(text), (0...1).contains(rate) else {
                    throw SandboxConfigurationError(
                        variable: "PAYMENT_SANDBOX_FAILURE_RATE",
                        value: text,
                        expected: "a number from 0 to 1"
                    )
                }
                failureRate = rate
            }
        }

        private static func millis(_ variable: String, _ environment: [String: String]) throws -> Int64? {
            guard let text = environment[variable], !text.isEmpty else { return nil }
            guard let value = Int64(text), (0...3_600_000).contains(value) else {
                throw SandboxConfigurationError(variable: variable, value: text, expected: "milliseconds 0...3600000")
            }
            return value
        }
    }
}

/// A sandbox setting that could not be read (RefundMeshHosting's one settings error).
public typealias SandboxConfigurationError = HostConfigurationError
