import ArgumentParser

/// The flags every service executable takes; each overrides its `<SERVICE>_…` variable.
public struct HostOptions: ParsableArguments {
    @Option(help: "Address to bind (overrides <SERVICE>_HOST).")
    public var host: String?

    @Option(help: "Port to bind; 0 picks a free one (overrides <SERVICE>_PORT).")
    public var port: Int?

    @Option(help: "Folder for the service's SQLite file (overrides <SERVICE>_DATA_DIR).")
    public var dataDir: String?

    public init() {}

    /// The service's settings: defaults, then the environment, then these flags.
    public func settings(
        serviceName: String,
        defaultPort: Int,
        environment: [String: String]
    ) throws -> HostConfiguration {
        var settings = try HostConfiguration(
            serviceName: serviceName,
            defaultPort: defaultPort,
            environment: environment
        )
        if let host { settings.host = host }
        if let port { settings.port = port }
        if let dataDir { settings.dataDirectory = dataDir }
        return settings
    }
}
