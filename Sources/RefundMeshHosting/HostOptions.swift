import ArgumentParser

/// The flags every service executable takes; each overrides its `<SERVICE>_…` variable.
public struct HostOptions: ParsableArguments {
    @Option(help: "Address to bind (overrides <SERVICE>_HOST).")
    public var host: String?

    @Option(help: "Port to bind; 0 picks a free one (overrides <SERVICE>_PORT).")
    public var port: Int?

    @Option(help: "Folder for the service's SQLite file (overrides <SERVICE>_DATA_DIR).")
    public var dataDir: String?

    @Option(
        help:
            "Port of the Prometheus /metrics endpoint; 0 picks a free one, off disables it (overrides <SERVICE>_METRICS_PORT)."
    )
    public var metricsPort: String?

    public init() {}

    /// The service's settings: defaults, then the environment, then these flags.
    public func settings(
        serviceName: String,
        defaultPort: Int,
        defaultMetricsPort: Int? = nil,
        environment: [String: String]
    ) throws -> HostConfiguration {
        // The flags act as their variables would, so every rule (a port of 0 moves the metrics
        // port to 0 too) holds for both.
        var environment = environment
        let prefix = HostConfiguration.prefix(for: serviceName)
        if let host { environment["\(prefix)_HOST"] = host }
        if let port { environment["\(prefix)_PORT"] = String(port) }
        if let dataDir { environment["\(prefix)_DATA_DIR"] = dataDir }
        if let metricsPort { environment["\(prefix)_METRICS_PORT"] = metricsPort }
        return try HostConfiguration(
            serviceName: serviceName,
            defaultPort: defaultPort,
            defaultMetricsPort: defaultMetricsPort,
            environment: environment
        )
    }
}
