import CoreMetrics
import Foundation
import Logging
import NIOCore
import NIOPosix
import RefundMeshRPC
import RefundMeshStore
import RefundMeshTracing
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one RefundMesh service process: bootstraps logging and metrics, serves the RPC services
/// with the standard health, discovery and operations services, the Prometheus endpoint and the
/// store gauges, runs the background services (outbox relays, schedulers) beside them, prints
/// the "listening on" line tools and tests wait for, and shuts everything down gracefully on
/// SIGTERM or SIGINT (or an operator's `refundctl drain --exit`).
public enum ServiceHost {
    /// Sets up swift-log for the process (call once, first): `level`, text or JSON lines, and
    /// the current ``TraceID`` in every line.
    public static func bootstrapLogging(level: String, format: LogFormat = .text) {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap(
            { label, provider in
                switch format {
                case .text:
                    var handler = TextLogHandler(label: label, metadataProvider: provider)
                    handler.logLevel = parsed
                    return handler
                case .json:
                    var handler = JSONLogHandler(label: label, metadataProvider: provider)
                    handler.logLevel = parsed
                    return handler
                }
            },
            metadataProvider: TraceID.metadataProvider
        )
    }

    /// Bootstraps logging (``bootstrapLogging(level:format:)``) and metrics
    /// (``ServiceMetrics/bootstrap()``) from the settings; call once, first.
    public static func bootstrap(_ settings: HostConfiguration) {
        bootstrapLogging(level: settings.logLevel, format: settings.logFormat)
        ServiceMetrics.bootstrap()
    }

    /// Serves `services` until SIGTERM/SIGINT, with `background` services beside the server.
    /// - Parameters:
    ///   - auth: The service's keys: every call served is authenticated and authorized against
    ///     ``AccessPolicy/refundMesh``, and the key files are reread when they change.
    ///   - stores: The service's stores by name: their outbox backlogs and sizes become gauges,
    ///     and the Operations service reports on them and backs them up.
    ///   - gauges: The service's own store figures (refunds by state, queue sizes, …).
    public static func run(
        configuration: HostConfiguration,
        services: [any RPCService],
        auth: ServiceAuth,
        background: [any Service] = [],
        limits: RPCServer.Limits = RPCServer.Limits(),
        stores: [String: Store] = [:],
        gauges: [StoreGauge] = [],
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
        let gate = DrainGate()
        let shutdown = ShutdownTrigger()
        let metrics = configuration.metricsPort.map { port in
            MetricsEndpoint(host: configuration.metricsHost ?? configuration.host, port: port, logger: logger)
        }
        let serverBox = Mutex<RPCServer?>(nil)
        let operations = OperationsService(
            serviceName: configuration.serviceName,
            version: version,
            dataDirectory: configuration.dataDirectory,
            stores: stores,
            gate: gate,
            metrics: metrics,
            health: { serverBox.withLock { $0?.health } },
            exit: { shutdown.trigger() },
            logger: logger
        )
        let server = RPCServer(
            configuration: RPCServer.Configuration(
                host: configuration.host,
                port: configuration.port,
                limits: limits,
                version: version,
                tls: configuration.tls?.server
            ),
            services: services + [operations],
            // Counted first (refusals too), then authenticated, then the drain gate.
            interceptors: [RPCServerMetricsInterceptor(), auth.interceptor, gate],
            logger: logger
        )
        serverBox.withLock { $0 = server }
        Gauge(
            label: "refundmesh_build_info",
            dimensions: [("service", configuration.serviceName), ("version", version)]
        ).record(1)
        Gauge(label: "refundmesh_process_start_time_seconds").record(Double(operations.startedAtMs) / 1000)

        var members: [any Service] = [server]
        if let metrics { members.append(metrics) }
        if !stores.isEmpty || !gauges.isEmpty {
            members.append(StoreGaugeSampler(stores: stores, gauges: gauges, logger: logger))
        }
        if let interval = configuration.memoryTrimInterval {
            members.append(MemoryTrimmer(interval: interval, logger: logger))
        }
        members.append(auth.watcher(logger: logger))
        members += background
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: members.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        shutdown.attach(group)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let address = try await server.listeningAddress()
            if let metrics {
                // 0: it could not listen, and the group is stopping with the reason.
                let port = await metrics.listeningPort()
                if port > 0 { print("\(configuration.serviceName) metrics on \(metrics.host):\(port)") }
            }
            print(
                "\(configuration.serviceName) listening on \(address.ipAddress ?? configuration.host):\(address.port ?? 0)"
            )
            fflush(nil)  // tests and scripts wait for this line; stdout is block-buffered when piped
            try await tasks.waitForAll()
        }
        logger.info("stopped")
    }
}

/// Lets the Operations service start the same graceful shutdown SIGTERM does.
final class ShutdownTrigger: Sendable {
    private let group = Mutex<ServiceGroup?>(nil)
    private let requested = Mutex(false)

    func attach(_ serviceGroup: ServiceGroup) {
        group.withLock { $0 = serviceGroup }
        if requested.withLock({ $0 }) { Task { await serviceGroup.triggerGracefulShutdown() } }
    }

    func trigger() {
        requested.withLock { $0 = true }
        guard let serviceGroup = group.withLock({ $0 }) else { return }
        Task { await serviceGroup.triggerGracefulShutdown() }
    }
}

/// The build's version, reported by discovery and `refundctl status`.
public enum RefundMeshVersion {
    public static let current = "0.2.0"
}
