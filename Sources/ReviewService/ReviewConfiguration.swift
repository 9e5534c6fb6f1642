import RefundMeshDomain

/// Review's own settings, beside the host's (`HostConfiguration`) and the peers'
/// (`PeerDirectory`).
public struct ReviewConfiguration: Sendable, Equatable {
    /// What the sandbox operator answers about every direct recharge (R-R2).
    /// `REVIEW_OPERATOR_SANDBOX=unknown|credited|failed`; default unknown.
    public var operatorSandbox: FulfillmentFacts.RechargeStatus
    /// How often undecided cases that wait for records are decided again (R-R2 "retried").
    /// `REVIEW_RETRY_INTERVAL_MS`; default 30 000.
    public var retryInterval: Duration
    /// How long a ListPayments lookup may take (R-R3). `REVIEW_PAYMENTS_TIMEOUT_MS`; default 3000.
    public var paymentsTimeout: Duration

    public init(
        operatorSandbox: FulfillmentFacts.RechargeStatus = .unknown,
        retryInterval: Duration = .seconds(30),
        paymentsTimeout: Duration = .seconds(3)
    ) {
        self.operatorSandbox = operatorSandbox
        self.retryInterval = retryInterval
        self.paymentsTimeout = paymentsTimeout
    }

    /// Reads the `REVIEW_…` variables over the defaults.
    /// - Throws: ``ReviewConfigurationError`` naming the variable when a value is malformed.
    public init(environment: [String: String]) throws {
        self.init()
        if let text = environment["REVIEW_OPERATOR_SANDBOX"], !text.isEmpty {
            guard let adapter = SandboxOperatorAdapter(setting: text) else {
                throw ReviewConfigurationError(
                    variable: "REVIEW_OPERATOR_SANDBOX",
                    value: text,
                    expected: "unknown, credited or failed"
                )
            }
            operatorSandbox = adapter.answer
        }
        retryInterval = try Self.milliseconds("REVIEW_RETRY_INTERVAL_MS", in: environment) ?? retryInterval
        paymentsTimeout = try Self.milliseconds("REVIEW_PAYMENTS_TIMEOUT_MS", in: environment) ?? paymentsTimeout
    }

    private static func milliseconds(_ variable: String, in environment: [String: String]) throws -> Duration? {
        guard let text = environment[variable], !text.isEmpty else { return nil }
        guard let value = Int64(text), value > 0 else {
            throw ReviewConfigurationError(
                variable: variable,
                value: text,
                expected: "a positive number of milliseconds"
            )
        }
        return .milliseconds(value)
    }
}

/// A `REVIEW_…` setting that could not be read, with what was expected.
public struct ReviewConfigurationError: Error, CustomStringConvertible, Equatable {
    public var variable: String
    public var value: String
    public var expected: String

    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    public var description: String { "\(variable)=\"\(value)\" is not valid: expected \(expected)" }
}
