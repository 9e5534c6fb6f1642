import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RefundMeshWire
import ServiceLifecycle
import Synchronization

/// A server hosting one or more ``RPCService``s on a TCP port, plus the health and discovery
/// services every RefundMesh server offers.
///
/// Run it in a `ServiceGroup` (or call ``run()`` directly): it serves until graceful shutdown
/// (SIGTERM/SIGINT through the group) or cancellation. A graceful shutdown stops accepting,
/// marks every service NOT_SERVING, sends each connection a GOAWAY so new calls go elsewhere,
/// lets running calls finish for up to ``Configuration/drainGracePeriod``, then closes.
public final class RPCServer: Service, Sendable {
    public let configuration: Configuration
    /// The health service's status table; set a service NOT_SERVING to take it out of rotation.
    public let health: HealthService

    private let router: MethodRouter
    private let interceptors: [any ServerInterceptor]
    private let group: any EventLoopGroup
    private let logger: Logger
    private let addressPromise: EventLoopPromise<SocketAddress>
    private let state = Mutex(State())

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: NIOLoopBound<ServerConnectionHandler>] = [:]
        /// Open connections by peer IP address (``Limits/maxConnectionsPerPeer``).
        var connectionsPerPeer: [String: Int] = [:]
        var draining = false
        var drained: EventLoopPromise<Void>?
    }

    /// - Parameters:
    ///   - services: the services to host, besides health and discovery.
    ///   - interceptors: run around every call, first outermost.
    ///   - eventLoopGroup: the loops connections run on (default: NIO's shared group).
    public init(
        configuration: Configuration = Configuration(),
        services: [any RPCService],
        interceptors: [any ServerInterceptor] = [],
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "refundmesh.rpc.server")
    ) {
        self.configuration = configuration
        self.interceptors = interceptors
        self.group = eventLoopGroup
        self.logger = logger
        self.addressPromise = eventLoopGroup.next().makePromise()
        let health = HealthService()
        self.health = health
        var router = MethodRouter(services: services)
        router.add(health)
        let hosted = router.services
        router.add(
            ReflectionService(
                services: { hosted + [ReflectionService.descriptorForSelf] },
                version: configuration.version
            )
        )
        self.router = router
        for service in services {
            health.setStatus(.serving, for: service.serviceDescriptor.name)
        }
        health.setStatus(.serving, for: "")
    }

    /// Connections being served now (refused ones are not counted).
    package var connectionCount: Int { state.withLock { $0.connections.count } }

    /// The address the server listens on, once it is bound (port 0 resolved).
    public func listeningAddress() async throws -> SocketAddress {
        try await addressPromise.futureResult.get()
    }

    public func run() async throws {
        let channel: any Channel
        do {
            channel = try await bind()
        } catch {
            addressPromise.fail(error)
            throw error
        }
        let address = channel.localAddress!
        addressPromise.succeed(address)
        logger.info("listening", metadata: ["rpc.address": "\(address)"])
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await channel.closeFuture.get()
            } onGracefulShutdown: {
                self.beginGracefulShutdown()
            }
            // Accepting has stopped; wait for the connections to drain.
            let drained = self.state.withLock { $0.drained }
            try? await drained?.futureResult.get()
        } onCancel: {
            self.beginGracefulShutdown()
            self.forceCloseConnections()
        }
        logger.info("stopped")
    }

    /// Starts a graceful shutdown; ``run()`` returns once it completes.
    public func beginGracefulShutdown() {
        let (channel, connections, drained):
            (
                (any Channel)?, [NIOLoopBound<ServerConnectionHandler>], EventLoopPromise<Void>?
            ) = state.withLock { state in
                guard !state.draining else { return (nil, [], nil) }
                state.draining = true
                state.drained = group.next().makePromise()
                return (state.serverChannel, Array(state.connections.values), state.drained)
            }
        guard let drained else { return }
        logger.info("draining", metadata: ["rpc.connections": "\(connections.count)"])
        health.markAllNotServing()
        for connection in connections {
            connection.eventLoop.execute { connection.value.drain() }
        }
        checkDrained()
        let grace = configuration.drainGracePeriod
        group.next().scheduleTask(in: .nanoseconds(Int64(grace.microseconds) * 1000)) {
            self.forceCloseConnections()
        }
        if let channel {
            channel.close(promise: nil)
        } else {
            drained.succeed()
        }
    }

    private func forceCloseConnections() {
        let connections = state.withLock { Array($0.connections.values) }
        for connection in connections {
            connection.eventLoop.execute { connection.value.forceClose() }
        }
    }

    private func checkDrained() {
        let promise: EventLoopPromise<Void>? = state.withLock { state in
            guard state.draining, state.connections.isEmpty else { return nil }
            return state.drained
        }
        promise?.succeed()
    }

    private func bind() async throws -> any Channel {
        let limits = configuration.limits
        let settings = ServerConnectionHandler.Settings(
            limits: limits,
            idleTimeout: configuration.idleTimeout,
            interceptors: interceptors,
            framesPerFlush: max(configuration.framesPerFlush, 1)
        )
        let router = self.router
        let logger = self.logger
        let tlsContext = try configuration.tls.map { try $0.makeServerContext() }
        let highWaterMark = max(limits.maxBufferedOutboundBytes, 2)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: highWaterMark / 2, high: highWaterMark))
            .childChannelInitializer { channel in
                let peerAddress = channel.remoteAddress?.ipAddress ?? "unknown"
                let rejection = self.admit(peerAddress)
                let handler = ServerConnectionHandler(
                    router: router,
                    settings: settings,
                    logger: logger,
                    rejection: rejection,
                    onDrained: {}
                )
                let id = ObjectIdentifier(channel)
                if rejection == nil {
                    self.state.withLock { $0.connections[id] = NIOLoopBound(handler, eventLoop: channel.eventLoop) }
                    channel.closeFuture.whenComplete { _ in
                        self.state.withLock { state in
                            _ = state.connections.removeValue(forKey: id)
                            let left = (state.connectionsPerPeer[peerAddress] ?? 1) - 1
                            state.connectionsPerPeer[peerAddress] = left > 0 ? left : nil
                        }
                        self.checkDrained()
                    }
                }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    // TLS first: everything after it sees the RPC byte stream unchanged.
                    if let tlsContext { try pipeline.addHandler(NIOSSLServerHandler(context: tlsContext)) }
                    try pipeline.addHandler(
                        InboundDeadlineHandler(
                            handshakeTimeout: limits.handshakeTimeout,
                            frameTimeout: limits.frameTimeout
                        )
                    )
                    try pipeline.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: limits.maxFrameBytes)))
                    try pipeline.addHandler(handler)
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        let stillServing = state.withLock { state -> Bool in
            guard !state.draining else { return false }
            state.serverChannel = channel
            return true
        }
        if !stillServing {
            try? await channel.close()
            throw RPCError(code: .unavailable, message: "the server was shut down before it started listening")
        }
        return channel
    }

    /// Nil if a connection from `peer` (an IP address) may be served, or why it may not;
    /// an admitted connection is counted against its peer until it closes.
    private func admit(_ peer: String) -> RPCError? {
        let limits = configuration.limits
        let refusal: (error: RPCError, limit: String)? = state.withLock { state in
            if state.draining {
                return (
                    RPCError(code: .unavailable, message: "the server is shutting down; connect to another endpoint"),
                    "draining"
                )
            }
            if state.connections.count >= limits.maxConnections {
                return (
                    RPCError(
                        code: .resourceExhausted,
                        message:
                            "the server has reached its limit of \(limits.maxConnections) connections; retry later or elsewhere"
                    ),
                    "maxConnections"
                )
            }
            let fromPeer = state.connectionsPerPeer[peer, default: 0]
            if fromPeer >= limits.maxConnectionsPerPeer {
                return (
                    RPCError(
                        code: .resourceExhausted,
                        message:
                            "\(peer) already has \(fromPeer) connections to this server, the limit of \(limits.maxConnectionsPerPeer) connections per peer; reuse them or retry later"
                    ),
                    "maxConnectionsPerPeer"
                )
            }
            state.connectionsPerPeer[peer] = fromPeer + 1
            return nil
        }
        guard let refusal else { return nil }
        if refusal.limit != "draining" {
            logger.notice(
                "refused a connection over a limit",
                metadata: [
                    "rpc.peer": "\(peer)", "rpc.limit": "\(refusal.limit)", "reason": "\(refusal.error.message)",
                ]
            )
        }
        return refusal.error
    }
}
