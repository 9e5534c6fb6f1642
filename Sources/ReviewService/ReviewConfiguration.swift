import RefundMeshDomain
import RefundMeshHosting

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
    /// How old intake's reading of an order's payments, carried in OpenCase, may be for review to
    /// decide from it instead of asking payment-channel again (R-R3, R-R7); 0: always ask.
    /// `REVIEW_PAYMENTS_REUSE_MS`; default 10 000. Captured payments are only ever added, so a
    /// recent reading can miss only a payment captured in between.
    public var paymentsReuseMs: Int64
    /// SLA budgets (R-R4): `REVIEW_SLA_AUTOMATIC_MS` (600 000: 10 minutes of wall-clock time),
    /// `REVIEW_SLA_MANUAL_WORKING_DAYS` (3) or, finer, `REVIEW_SLA_MANUAL_MS` (working-time
    /// milliseconds), `REVIEW_SLA_WARNING_MS` (14 400 000: due soon 4 hours before).
    public var serviceLevel: ServiceLevel
    /// Amounts from this many fen up take the green channel (R-R8). `REVIEW_LARGE_AMOUNT_FEN`;
    /// default 50 000 (¥500).
    public var largeAmountFen: Int64
    /// How long a reviewer's claim lasts without a decision (R-R10). `REVIEW_CLAIM_TTL_MS`;
    /// default 900 000 (15 minutes).
    public var claimTTLMs: Int64
    /// The inbox escalations go to (R-R4). `REVIEW_ESCALATION_RECIPIENT`; default
    /// "review-supervisors".
    public var escalationRecipient: String
    /// How often SLAs and claims are checked (R-R4). `REVIEW_SLA_SCAN_INTERVAL_MS`; default 30 000.
    public var slaScanInterval: Duration
    /// The Ed25519 seed signing evidence checkpoints (R-R9). `REVIEW_EVIDENCE_KEY_FILE`; nil: the
    /// data folder's `evidence-signing.key`, created when absent.
    public var evidenceKeyFile: String?
    /// How often a grown evidence log's head is signed. `REVIEW_EVIDENCE_CHECKPOINT_INTERVAL_MS`;
    /// default 60 000.
    public var evidenceCheckpointInterval: Duration
    /// Where the latest signed head is published. `REVIEW_EVIDENCE_HEAD_FILE`; nil: the data
    /// folder's `evidence-head.json`.
    public var evidenceHeadFile: String?

    public init(
        operatorSandbox: FulfillmentFacts.RechargeStatus = .unknown,
        retryInterval: Duration = .seconds(30),
        paymentsTimeout: Duration = .seconds(3),
        paymentsReuseMs: Int64 = 10_000,
        serviceLevel: ServiceLevel = ServiceLevel(),
        largeAmountFen: Int64 = 50_000,
        claimTTLMs: Int64 = 15 * 60_000,
        escalationRecipient: String = "review-supervisors",
        slaScanInterval: Duration = .seconds(30),
        evidenceKeyFile: String? = nil,
        evidenceCheckpointInterval: Duration = .seconds(60),
        evidenceHeadFile: String? = nil
    ) {
        self.operatorSandbox = operatorSandbox
        self.retryInterval = retryInterval
        self.paymentsTimeout = paymentsTimeout
        self.paymentsReuseMs = paymentsReuseMs
        self.serviceLevel = serviceLevel
        self.largeAmountFen = largeAmountFen
        self.claimTTLMs = claimTTLMs
        self.escalationRecipient = escalationRecipient
        self.slaScanInterval = slaScanInterval
        self.evidenceKeyFile = evidenceKeyFile
        self.evidenceCheckpointInterval = evidenceCheckpointInterval
        self.evidenceHeadFile = evidenceHeadFile
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
        if let text = environment["REVIEW_PAYMENTS_REUSE_MS"], !text.isEmpty {
            guard let value = Int64(text), value >= 0 else {
                throw ReviewConfigurationError(
                    variable: "REVIEW_PAYMENTS_REUSE_MS",
                    value: text,
                    expected: "0 (always ask payment-channel) or a positive number of milliseconds"
                )
            }
            paymentsReuseMs = value
        }
        if let budget = try Self.positive("REVIEW_SLA_AUTOMATIC_MS", in: environment) {
            serviceLevel.automaticBudgetMs = budget
        }
        if let days = try Self.positive("REVIEW_SLA_MANUAL_WORKING_DAYS", in: environment) {
            guard days <= 365 else {
                throw ReviewConfigurationError(
                    variable: "REVIEW_SLA_MANUAL_WORKING_DAYS",
                    value: String(days),
                    expected: "1...365 working days"
                )
            }
            serviceLevel.manualBudgetMs = days * ServiceLevel.millisecondsPerDay
        }
        if let budget = try Self.positive("REVIEW_SLA_MANUAL_MS", in: environment) {
            serviceLevel.manualBudgetMs = budget
        }
        if let warning = try Self.positive("REVIEW_SLA_WARNING_MS", in: environment) {
            serviceLevel.warningMs = warning
        }
        largeAmountFen = try Self.positive("REVIEW_LARGE_AMOUNT_FEN", in: environment) ?? largeAmountFen
        claimTTLMs = try Self.positive("REVIEW_CLAIM_TTL_MS", in: environment) ?? claimTTLMs
        if let recipient = environment["REVIEW_ESCALATION_RECIPIENT"], !recipient.isEmpty {
            escalationRecipient = recipient
        }
        slaScanInterval = try Self.milliseconds("REVIEW_SLA_SCAN_INTERVAL_MS", in: environment) ?? slaScanInterval
        evidenceKeyFile = environment["REVIEW_EVIDENCE_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        evidenceCheckpointInterval =
            try Self.milliseconds("REVIEW_EVIDENCE_CHECKPOINT_INTERVAL_MS", in: environment)
            ?? evidenceCheckpointInterval
        evidenceHeadFile = environment["REVIEW_EVIDENCE_HEAD_FILE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    private static func positive(_ variable: String, in environment: [String: String]) throws -> Int64? {
        guard let text = environment[variable], !text.isEmpty else { return nil }
        guard let value = Int64(text), value > 0 else {
            throw ReviewConfigurationError(variable: variable, value: text, expected: "a positive whole number")
        }
        return value
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

/// A `REVIEW_…` setting that could not be read (RefundMeshHosting's one settings error).
public typealias ReviewConfigurationError = HostConfigurationError
