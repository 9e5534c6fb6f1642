/// What every RefundMesh executable needs to know to run: where to listen, where its data
/// lives, how to log. Read from flags first, then `<SERVICE>_…` environment variables, then
/// the defaults, so the same binary runs locally with no settings and in docker-compose with
/// environment only.
public struct HostConfiguration: Sendable, Equatable {
    /// e.g. "notification"; also the log label and the SQLite file's name.
    public var serviceName: String
    public var host: String
    public var port: Int
    /// The folder holding `<serviceName>.sqlite`.
    public var dataDirectory: String
    public var logLevel: String
    /// `<SERVICE>_LOG_FORMAT` or `REFUNDMESH_LOG_FORMAT`: text (default) or json lines.
    public var logFormat: LogFormat = .text
    /// `<SERVICE>_METRICS_HOST`: where the Prometheus endpoint binds; nil: ``host``.
    public var metricsHost: String?
    /// `<SERVICE>_METRICS_PORT`: the Prometheus endpoint's port; nil: no endpoint (`off`).
    /// Defaults to the service's standard metrics port, or to 0 (any free port) when the RPC
    /// port is 0, so that meshes started on free ports for tests never collide.
    public var metricsPort: Int?
    /// SQLite synchronous mode: FULL for stores that move money, NORMAL allowed elsewhere.
    public var synchronousFull: Bool
    /// `REFUNDMESH_CLOCK_ORIGIN_MS`: when set, the service's clock starts at this Unix time and
    /// runs at real speed from there (``UnixTime``). For drills and tests of calendar rules
    /// (R-R4 SLA across a weekend or holiday) that cannot wait for the calendar; never set in
    /// production. nil: the system clock.
    public var clockOriginMs: Int64?
    /// `REFUNDMESH_AUTH_DIR`: the folder of the key set (``KeySet``); nil: `<data dir>/auth`.
    public var authDirectory: String?
    /// `<SERVICE>_AUTH_KEY_FILE`: the key this service signs its calls with; nil:
    /// `<auth dir>/<service>.key`.
    public var authKeyFile: String?
    /// `REFUNDMESH_AUTH_TRUST_FILE`: the keys whose tokens this service accepts; nil:
    /// `<auth dir>/trusted-keys`.
    public var authTrustFile: String?
    /// TLS between the services (`REFUNDMESH_TLS=on` and its files, ``TLS``); nil: plaintext.
    public var tls: TLS?
    /// `<SERVICE>_MEMORY_TRIM_SECONDS` or `REFUNDMESH_MEMORY_TRIM_SECONDS`: how often freed
    /// memory is handed back to the system (``MemoryTrimmer``); nil (`0` or `off`): never.
    public var memoryTrimInterval: Duration? = .seconds(10)

    /// `<SERVICE>_DATABASE_URL`: the service's store on PostgreSQL
    /// (`postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=…`, docs/SCALING.md); nil: the SQLite file
    /// at ``databasePath``.
    public var databaseURL: String?
    /// `<SERVICE>_REPLICA_NAME`: this replica's name on the claims it makes in a shared
    /// PostgreSQL store (unique among the replicas); nil: host name and process id.
    public var replicaName: String?
    /// `<SERVICE>_OUTBOX_LEASE_MS`: how long a replica's claim on an outbox message in a shared
    /// PostgreSQL store holds before another replica may deliver it; nil: 30 s.
    public var outboxLease: Duration?

    public var databasePath: String { dataDirectory + "/" + serviceName + ".sqlite" }

    public init(
        serviceName: String,
        host: String = "127.0.0.1",
        port: Int,
        dataDirectory: String = "./data",
        logLevel: String = "info",
        synchronousFull: Bool = true
    ) {
        self.serviceName = serviceName
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.logLevel = logLevel
        self.synchronousFull = synchronousFull
    }

    /// A port setting's value: 0...65535, or nil for `off` where that is allowed.
    static func port(_ text: String, variable: String, allowingOff: Bool) throws -> Int? {
        if allowingOff, text.lowercased() == "off" { return nil }
        guard let port = Int(text), (0...65535).contains(port) else {
            throw HostConfigurationError(
                variable: variable,
                value: text,
                expected: "a port number 0...65535" + (allowingOff ? ", or off" : "")
            )
        }
        return port
    }

    /// The environment prefix for a service name: "payment-channel" → "PAYMENT_CHANNEL".
    public static func prefix(for serviceName: String) -> String {
        serviceName.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// Applies `<PREFIX>_HOST`, `_PORT`, `_DATA_DIR` (or `REFUNDMESH_DATA_DIR`), `_LOG_LEVEL`
    /// (or `REFUNDMESH_LOG_LEVEL`) and the TLS variables (``TLS``) from `environment` over the
    /// defaults.
    /// - Throws: ``HostConfigurationError`` naming the variable when a value is malformed.
    public init(
        serviceName: String,
        defaultPort: Int,
        defaultMetricsPort: Int? = nil,
        environment: [String: String]
    ) throws {
        let prefix = Self.prefix(for: serviceName)
        self.init(serviceName: serviceName, port: defaultPort)
        self.metricsPort = defaultMetricsPort
        if let host = environment["\(prefix)_HOST"], !host.isEmpty { self.host = host }
        if let text = environment["\(prefix)_PORT"], !text.isEmpty {
            self.port = try Self.port(text, variable: "\(prefix)_PORT", allowingOff: false) ?? defaultPort
        }
        if let directory = environment["\(prefix)_DATA_DIR"] ?? environment["REFUNDMESH_DATA_DIR"], !directory.isEmpty {
            self.dataDirectory = directory
        }
        if let level = environment["\(prefix)_LOG_LEVEL"] ?? environment["REFUNDMESH_LOG_LEVEL"], !level.isEmpty {
            let known = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard known.contains(level.lowercased()) else {
                throw HostConfigurationError(
                    variable: "\(prefix)_LOG_LEVEL",
                    value: level,
                    expected: known.joined(separator: ", ")
                )
            }
            self.logLevel = level.lowercased()
        }
        if let text = environment["\(prefix)_LOG_FORMAT"] ?? environment["REFUNDMESH_LOG_FORMAT"], !text.isEmpty {
            guard let format = LogFormat(rawValue: text.lowercased()) else {
                throw HostConfigurationError(
                    variable: "\(prefix)_LOG_FORMAT",
                    value: text,
                    expected: LogFormat.allCases.map(\.rawValue).joined(separator: " or ")
                )
            }
            self.logFormat = format
        }
        if let host = environment["\(prefix)_METRICS_HOST"], !host.isEmpty { self.metricsHost = host }
        if let text = environment["\(prefix)_METRICS_PORT"], !text.isEmpty {
            self.metricsPort = try Self.port(text, variable: "\(prefix)_METRICS_PORT", allowingOff: true)
        } else if self.port == 0, self.metricsPort != nil {
            self.metricsPort = 0
        }
        if let text = environment["REFUNDMESH_AUTH_DIR"], !text.isEmpty { self.authDirectory = text }
        if let text = environment["\(prefix)_AUTH_KEY_FILE"], !text.isEmpty { self.authKeyFile = text }
        if let text = environment["REFUNDMESH_AUTH_TRUST_FILE"], !text.isEmpty { self.authTrustFile = text }
        if let text = environment["REFUNDMESH_CLOCK_ORIGIN_MS"], !text.isEmpty {
            guard let origin = Int64(text), origin > 0 else {
                throw HostConfigurationError(
                    variable: "REFUNDMESH_CLOCK_ORIGIN_MS",
                    value: text,
                    expected: "a Unix time in milliseconds, e.g. 1764309599000"
                )
            }
            self.clockOriginMs = origin
        }
        if let text = environment["\(prefix)_MEMORY_TRIM_SECONDS"] ?? environment["REFUNDMESH_MEMORY_TRIM_SECONDS"],
            !text.isEmpty
        {
            if text.lowercased() == "off" || text == "0" {
                self.memoryTrimInterval = nil
            } else if let seconds = Int(text), (1...3600).contains(seconds) {
                self.memoryTrimInterval = .seconds(seconds)
            } else {
                throw HostConfigurationError(
                    variable: "\(prefix)_MEMORY_TRIM_SECONDS",
                    value: text,
                    expected: "whole seconds 1...3600, or 0 / off to never trim"
                )
            }
        }
        if let text = environment["\(prefix)_DATABASE_URL"], !text.isEmpty { self.databaseURL = text }
        if let text = environment["\(prefix)_REPLICA_NAME"], !text.isEmpty { self.replicaName = text }
        if let text = environment["\(prefix)_OUTBOX_LEASE_MS"], !text.isEmpty {
            guard let millis = Int(text), (1_000...600_000).contains(millis) else {
                throw HostConfigurationError(
                    variable: "\(prefix)_OUTBOX_LEASE_MS",
                    value: text,
                    expected: "milliseconds 1000...600000, longer than a delivery call takes"
                )
            }
            self.outboxLease = .milliseconds(millis)
        }
        self.tls = try Self.tls(prefix: prefix, environment: environment)
    }
}

/// A setting that could not be read, with what was expected: the one error type for every
/// service's settings (each module names it after its settings, e.g. `ReviewConfigurationError`).
public struct HostConfigurationError: Error, CustomStringConvertible, Equatable {
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
