import Logging
import NIOCore
import NIOPosix
import RefundMeshRPC
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one RefundMesh service process: bootstraps logging, serves the RPC services with the
/// standard health and discovery services, runs the background services (outbox relays,
/// schedulers) beside it, prints the "listening on" line tools and tests wait for, and shuts
/// everything down gracefully on SIGTERM or SIGINT.
public enum ServiceHost {
    /// Sets up swift-log for the process at `level` (call once, first).
    public static func bootstrapLogging(level: String) {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }

    /// Serves `services` until SIGTERM/SIGINT, with `background` services beside the server.
    public static func run(
        configuration: HostConfiguration,
        services: [any RPCService],
        background: [any Service] = [],
        limits: RPCServer.Limits = RPCServer.Limits(),
        version: String = RefundMeshVersion.current,
        logger: Logger
    ) async throws {
        if let origin = configuration.clockOriginMs {
            UnixTime.startClock(at: origin)
            logger.warning(
                "clock started at a configured moment (REFUNDMESH_CLOCK_ORIGIN_MS); not for production",
                metadata: ["clock.origin_ms": "\(origin)"]
            )
        }
        let server = RPCServer(
            configuration: RPCServer.Configuration(
                host: configuration.host,
                port: configuration.port,
                version: version
            ),
            services: services,
            logger: logger
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: server)] + background.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let address = try await server.listeningAddress()
            print(
                "\(configuration.serviceName) listening on \(address.ipAddress ?? configuration.host):\(address.port ?? 0)"
            )
            fflush(nil)  // tests and scripts wait for this line; stdout is block-buffered when piped
            try await tasks.waitForAll()
        }
        logger.info("stopped")
    }
}

/// The build's version, reported by discovery.
public enum RefundMeshVersion {
    public static let current = "0.1.0"
}
