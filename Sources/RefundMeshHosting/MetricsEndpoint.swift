import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Serves ``ServiceMetrics/exposition()`` over HTTP at `GET /metrics` for Prometheus to scrape
/// (`<SERVICE>_METRICS_HOST`/`_METRICS_PORT`), as a swift-service-lifecycle `Service`.
public struct MetricsEndpoint: Service {
    public let host: String
    public let port: Int
    private let logger: Logger
    private let boundPort = BoundPort()

    /// - Parameters:
    ///   - host: The address to bind.
    ///   - port: The port; 0 picks a free one (``listeningPort()`` tells which).
    public init(host: String, port: Int, logger: Logger) {
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// The port it listens on, once it does; 0 if it stopped without listening (the port was
    /// taken: the service group then stops with that error).
    public func listeningPort() async -> Int { await boundPort.value() }

    /// The port it listens on, or 0 while it does not (yet).
    public var currentPort: Int { boundPort.current() }

    public func run() async throws {
        do {
            try await Self.probe(host: host, port: port)
        } catch {
            boundPort.giveUp()
            throw MetricsEndpointError(
                description: "the metrics endpoint could not listen on \(host):\(port) (<SERVICE>_METRICS_PORT; "
                    + "0 picks a free port, off disables it): \(error)"
            )
        }
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok,
                headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(string: ServiceMetrics.exposition()))
            )
        }
        let logger = self.logger
        let host = self.host
        let boundPort = self.boundPort
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port),
                serverName: "refundmesh-metrics"
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info(
                    "metrics at http://\(host):\(port)/metrics",
                    metadata: ["metrics.host": "\(host)", "metrics.port": "\(port)"]
                )
                boundPort.set(port)
            },
            logger: logger
        )
        do {
            try await application.run()
        } catch {
            let listened = boundPort.current() != 0
            boundPort.giveUp()
            if listened { throw error }
            throw MetricsEndpointError(
                description: "the metrics endpoint could not listen on \(host):\(port) (<SERVICE>_METRICS_PORT; "
                    + "0 picks a free port, off disables it): \(error)"
            )
        }
        boundPort.giveUp()
    }
}

extension MetricsEndpoint {
    /// Binds `host:port` and lets it go again, so that a port already taken is reported before
    /// Hummingbird starts: when its server cannot bind, Hummingbird cancels its date cache,
    /// whose `cancelOnGracefulShutdown()` merge (swift-async-algorithms 1.1.4) can deadlock an
    /// event loop on that cancellation, and the service then hangs instead of exiting (seen
    /// in `DeploymentMeshTests.metricsPortTaken`). A port taken between this bind and
    /// Hummingbird's still goes down that path; port 0 cannot be taken and is not probed.
    static func probe(host: String, port: Int) async throws {
        guard port != 0 else { return }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port)
            .get()
        try await channel.close()
    }
}

/// A port learnt once, awaited by any number of readers.
final class BoundPort: Sendable {
    private struct State {
        var port: Int?
        var waiters: [CheckedContinuation<Int, Never>] = []
    }

    private let state = Mutex(State())

    func set(_ port: Int) {
        let waiters = state.withLock { state in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    /// The port, or 0 while it is not known.
    func current() -> Int { state.withLock { $0.port ?? 0 } }

    /// Ends every wait with 0 if no port was learnt (the server never listened).
    func giveUp() {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, Never>] in
            guard state.port == nil else { return [] }
            state.port = 0
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: 0) }
    }

    func value() async -> Int {
        await withCheckedContinuation { continuation in
            let port = state.withLock { state -> Int? in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }
}

/// The metrics endpoint could not start, with the setting to change.
public struct MetricsEndpointError: Error, CustomStringConvertible {
    public var description: String
}
