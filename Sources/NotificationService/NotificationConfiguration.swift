import RefundMeshHosting
import RefundMeshStore

/// notification's own settings (`NOTIFY_…`), beside the host's (`HostConfiguration`): how
/// deliveries are retried (R-N3) and where the outside channels are (R-N2).
public struct NotificationConfiguration: Sendable, Equatable {
    /// Retry delays: `NOTIFY_RETRY_INITIAL_MS` (5 000), `NOTIFY_RETRY_MAX_MS` (3 600 000),
    /// `NOTIFY_RETRY_MULTIPLIER` (2), `NOTIFY_RETRY_JITTER` (0.2). The relays' policy
    /// (``OutboxRelay/Backoff``), so both back off the same way.
    public var backoff: OutboxRelay.Backoff
    /// Attempts per delivery before it becomes a dead letter. `NOTIFY_RETRY_ATTEMPTS`; default 10
    /// (with the default delays 35–43 minutes from the first failure to the dead-letter list).
    public var maximumAttempts: Int
    /// How often the worker looks for due deliveries. `NOTIFY_WORKER_INTERVAL_MS`; default 500.
    public var workerInterval: Duration
    /// Deliveries sent at the same time. `NOTIFY_WORKER_CONCURRENCY`; default 8.
    public var workerConcurrency: Int
    /// Whether webhook URLs may use plain http:// to hosts other than loopback.
    /// `NOTIFY_WEBHOOK_ALLOW_HTTP=1`; default false (https only).
    public var webhookAllowsHTTP: Bool
    public var smtp: SMTP
    public var sms: SMS
    public var webhook: Webhook

    /// E-mail over SMTP. No STARTTLS and no AUTH: point it at a local MTA or a relay on a
    /// trusted network that accepts mail from this host (docs/NOTIFICATIONS.md).
    public struct SMTP: Sendable, Equatable {
        /// `NOTIFY_SMTP_HOST`; empty (the default) turns the e-mail channel off.
        public var host: String
        /// `NOTIFY_SMTP_PORT`; default 25.
        public var port: Int
        /// The envelope and `From:` address. `NOTIFY_SMTP_FROM`; default "refunds@refundmesh.local".
        public var from: String
        /// The name given in EHLO. `NOTIFY_SMTP_HELO`; default "refundmesh.local".
        public var helo: String
        /// Connect and per-reply timeout. `NOTIFY_SMTP_TIMEOUT_MS`; default 10 000.
        public var timeout: Duration

        public init(
            host: String = "",
            port: Int = 25,
            from: String = "refunds@refundmesh.local",
            helo: String = "refundmesh.local",
            timeout: Duration = .seconds(10)
        ) {
            self.host = host
            self.port = port
            self.from = from
            self.helo = helo
            self.timeout = timeout
        }
    }

    /// SMS through the provider API of docs/NOTIFICATIONS.md (SANDBOX-SPEC's SMS shape).
    public struct SMS: Sendable, Equatable {
        /// e.g. "http://127.0.0.1:7010". `NOTIFY_SMS_BASE_URL`; empty (default) turns SMS off.
        public var baseURL: String
        /// `NOTIFY_SMS_ACCOUNT` (the `X-Sms-Account` header).
        public var account: String
        /// A file holding the account instead (`provider-sandbox keys` writes `sms-account.txt`).
        /// `NOTIFY_SMS_ACCOUNT_FILE`; used when `NOTIFY_SMS_ACCOUNT` is empty.
        public var accountFile: String
        /// File holding the account's HMAC secret. `NOTIFY_SMS_SECRET_FILE`.
        public var secretFile: String
        /// The signature the provider puts in front of the text. `NOTIFY_SMS_SIGN_NAME`;
        /// default "RefundMesh".
        public var signName: String
        /// `NOTIFY_SMS_TIMEOUT_MS`; default 10 000.
        public var timeout: Duration

        public init(
            baseURL: String = "",
            account: String = "",
            accountFile: String = "",
            secretFile: String = "",
            signName: String = "RefundMesh",
            timeout: Duration = .seconds(10)
        ) {
            self.baseURL = baseURL
            self.account = account
            self.accountFile = accountFile
            self.secretFile = secretFile
            self.signName = signName
            self.timeout = timeout
        }
    }

    /// Webhooks to the users' own endpoints.
    public struct Webhook: Sendable, Equatable {
        /// `NOTIFY_WEBHOOK_TIMEOUT_MS`; default 10 000.
        public var timeout: Duration

        public init(timeout: Duration = .seconds(10)) {
            self.timeout = timeout
        }
    }

    public init(
        backoff: OutboxRelay.Backoff = OutboxRelay.Backoff(initial: .seconds(5), maximum: .seconds(3600)),
        maximumAttempts: Int = 10,
        workerInterval: Duration = .milliseconds(500),
        workerConcurrency: Int = 8,
        webhookAllowsHTTP: Bool = false,
        smtp: SMTP = SMTP(),
        sms: SMS = SMS(),
        webhook: Webhook = Webhook()
    ) {
        self.backoff = backoff
        self.maximumAttempts = max(1, maximumAttempts)
        self.workerInterval = workerInterval
        self.workerConcurrency = max(1, workerConcurrency)
        self.webhookAllowsHTTP = webhookAllowsHTTP
        self.smtp = smtp
        self.sms = sms
        self.webhook = webhook
    }

    /// Reads the `NOTIFY_…` variables over the defaults.
    /// - Throws: ``NotificationConfigurationError`` naming the variable when a value is malformed.
    public init(environment: [String: String]) throws {
        self.init()
        let reader = Reader(environment: environment)
        backoff.initial = try reader.milliseconds("NOTIFY_RETRY_INITIAL_MS") ?? backoff.initial
        backoff.maximum = try reader.milliseconds("NOTIFY_RETRY_MAX_MS") ?? backoff.maximum
        if let multiplier = try reader.number("NOTIFY_RETRY_MULTIPLIER", in: 1...100) {
            backoff.multiplier = multiplier
        }
        if let jitter = try reader.number("NOTIFY_RETRY_JITTER", in: 0...1) { backoff.jitter = jitter }
        maximumAttempts = try reader.count("NOTIFY_RETRY_ATTEMPTS", in: 1...100) ?? maximumAttempts
        workerInterval = try reader.milliseconds("NOTIFY_WORKER_INTERVAL_MS") ?? workerInterval
        workerConcurrency = try reader.count("NOTIFY_WORKER_CONCURRENCY", in: 1...256) ?? workerConcurrency
        webhookAllowsHTTP = try reader.flag("NOTIFY_WEBHOOK_ALLOW_HTTP") ?? webhookAllowsHTTP
        smtp.host = environment["NOTIFY_SMTP_HOST"] ?? smtp.host
        smtp.port = try reader.count("NOTIFY_SMTP_PORT", in: 1...65535) ?? smtp.port
        if let from = environment["NOTIFY_SMTP_FROM"], !from.isEmpty {
            guard ContactValidation.isEmailAddress(from) else {
                throw NotificationConfigurationError(
                    variable: "NOTIFY_SMTP_FROM",
                    value: from,
                    expected: "an ASCII e-mail address, e.g. refunds@example.com"
                )
            }
            smtp.from = from
        }
        if let helo = environment["NOTIFY_SMTP_HELO"], !helo.isEmpty {
            guard helo.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
                throw NotificationConfigurationError(
                    variable: "NOTIFY_SMTP_HELO",
                    value: helo,
                    expected: "a host name (letters, digits, dots and hyphens)"
                )
            }
            smtp.helo = helo
        }
        smtp.timeout = try reader.milliseconds("NOTIFY_SMTP_TIMEOUT_MS") ?? smtp.timeout
        sms.baseURL = environment["NOTIFY_SMS_BASE_URL"] ?? sms.baseURL
        if !sms.baseURL.isEmpty, !(sms.baseURL.hasPrefix("http://") || sms.baseURL.hasPrefix("https://")) {
            throw NotificationConfigurationError(
                variable: "NOTIFY_SMS_BASE_URL",
                value: sms.baseURL,
                expected: "an http:// or https:// URL, e.g. http://127.0.0.1:7010"
            )
        }
        sms.account = environment["NOTIFY_SMS_ACCOUNT"] ?? sms.account
        sms.accountFile = environment["NOTIFY_SMS_ACCOUNT_FILE"] ?? sms.accountFile
        sms.secretFile = environment["NOTIFY_SMS_SECRET_FILE"] ?? sms.secretFile
        if !sms.baseURL.isEmpty, (sms.account.isEmpty && sms.accountFile.isEmpty) || sms.secretFile.isEmpty {
            throw NotificationConfigurationError(
                variable: sms.account.isEmpty ? "NOTIFY_SMS_ACCOUNT" : "NOTIFY_SMS_SECRET_FILE",
                value: "",
                expected: "set with NOTIFY_SMS_BASE_URL: the SMS account and the file holding its secret"
            )
        }
        if let name = environment["NOTIFY_SMS_SIGN_NAME"], !name.isEmpty { sms.signName = name }
        sms.timeout = try reader.milliseconds("NOTIFY_SMS_TIMEOUT_MS") ?? sms.timeout
        webhook.timeout = try reader.milliseconds("NOTIFY_WEBHOOK_TIMEOUT_MS") ?? webhook.timeout
    }

    private struct Reader {
        let environment: [String: String]

        func text(_ variable: String) -> String? {
            guard let text = environment[variable], !text.isEmpty else { return nil }
            return text
        }

        func milliseconds(_ variable: String) throws -> Duration? {
            guard let text = text(variable) else { return nil }
            guard let value = Int64(text), value > 0 else {
                throw NotificationConfigurationError(
                    variable: variable,
                    value: text,
                    expected: "a positive number of milliseconds"
                )
            }
            return .milliseconds(value)
        }

        func count(_ variable: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let text = text(variable) else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw NotificationConfigurationError(
                    variable: variable,
                    value: text,
                    expected: "a whole number \(range.lowerBound)...\(range.upperBound)"
                )
            }
            return value
        }

        func number(_ variable: String, in range: ClosedRange<Double>) throws -> Double? {
            guard let text = text(variable) else { return nil }
            guard let value = Double(text), range.contains(value) else {
                throw NotificationConfigurationError(
                    variable: variable,
                    value: text,
                    expected: "a number \(range.lowerBound)...\(range.upperBound)"
                )
            }
            return value
        }

        func flag(_ variable: String) throws -> Bool? {
            guard let text = text(variable) else { return nil }
            switch text.lowercased() {
            case "1", "true", "yes": return true
            case "0", "false", "no": return false
            default:
                throw NotificationConfigurationError(variable: variable, value: text, expected: "1 or 0")
            }
        }
    }
}

/// A `NOTIFY_…` setting that could not be read (RefundMeshHosting's one settings error).
public typealias NotificationConfigurationError = HostConfigurationError
