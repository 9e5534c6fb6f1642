import Logging
import NIOCore
import NIOPosix
import NIOSSL
import RefundMeshWire
import Synchronization

/// A live connection: its channel and the handler that owns its calls.
struct ConnectionHandle: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<ClientConnectionHandler>
    let executor: EventLoopTaskExecutor

    var eventLoop: any EventLoop { channel.eventLoop }

    /// Runs `body` on the connection's event loop (now, if already there).
    func onLoop(_ body: @escaping @Sendable (ClientConnectionHandler) -> Void) {
        let handler = self.handler
        if eventLoop.inEventLoop {
            body(handler.value)
        } else {
            eventLoop.execute { body(handler.value) }
        }
    }
}

/// The connection to one endpoint: opened on first use, reopened after it closes, with
/// exponential backoff after failures.
final class EndpointConnection: Sendable {
    let endpoint: Endpoint
    private let configuration: RPCClient.Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    /// Made once from ``RPCClient/Configuration/tls``; a failure (an unreadable file) fails
    /// every connection attempt with its message.
    private let tlsContext: Result<NIOSSLContext, RPCError>?

    private enum Phase {
        case idle
        case connecting(EventLoopFuture<ConnectionHandle>)
        case ready(ConnectionHandle)
        case closed
    }

    private struct State {
        var phase: Phase = .idle
        var failures = 0
        var retryAt: ContinuousClock.Instant?
        var lastError: String?
    }

    private let state = Mutex(State())

    init(endpoint: Endpoint, configuration: RPCClient.Configuration, group: any EventLoopGroup, logger: Logger) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.tlsContext = configuration.tls.map { tls in
            Result { try tls.makeClientContext() }.mapError {
                $0 as? RPCError ?? RPCError(code: .internalError, message: "\($0)")
            }
        }
    }

    /// When this endpoint may next be tried (nil: now).
    var backoffUntil: ContinuousClock.Instant? {
        state.withLock { state in
            if case .ready = state.phase { return nil }
            guard let retryAt = state.retryAt, retryAt > .now else { return nil }
            return retryAt
        }
    }

    var lastError: String? { state.withLock { $0.lastError } }

    /// A usable connection, connecting if needed.
    /// - Throws: ``RPCError`` UNAVAILABLE (never processed) when the endpoint cannot be reached.
    func connection() async throws -> ConnectionHandle {
        enum Next {
            case ready(ConnectionHandle)
            case wait(EventLoopFuture<ConnectionHandle>)
            case start(EventLoopPromise<ConnectionHandle>)
            case fail(RPCError)
        }
        let next: Next = state.withLock { state in
            switch state.phase {
            case .ready(let handle):
                return .ready(handle)
            case .connecting(let future):
                return .wait(future)
            case .closed:
                return .fail(.neverProcessed("the client is closed"))
            case .idle:
                if let retryAt = state.retryAt, retryAt > .now {
                    return .fail(
                        .neverProcessed(
                            "\(endpoint) is unreachable (\(state.lastError ?? "unknown error")); next attempt in \(ContinuousClock.now.duration(to: retryAt))"
                        )
                    )
                }
                // Publish the attempt, then start it outside the lock (its callbacks take it).
                let promise = group.next().makePromise(of: ConnectionHandle.self)
                state.phase = .connecting(promise.futureResult)
                return .start(promise)
            }
        }
        let future: EventLoopFuture<ConnectionHandle>
        switch next {
        case .ready(let handle): return handle
        case .fail(let error): throw error
        case .wait(let pending): future = pending
        case .start(let promise):
            promise.futureResult.whenComplete { result in self.connectFinished(result) }
            connect().cascade(to: promise)
            future = promise.futureResult
        }
        do {
            return try await future.get()
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError.neverProcessed("cannot connect to \(endpoint): \(error)")
        }
    }

    private func connect() -> EventLoopFuture<ConnectionHandle> {
        let eventLoop = group.next()
        let endpoint = self.endpoint
        let configuration = self.configuration
        let logger = self.logger
        let tls: (context: NIOSSLContext, serverName: String?)?
        switch tlsContext {
        case .failure(let error)?: return eventLoop.makeFailedFuture(error)
        case .success(let context)?: tls = (context, configuration.tls?.serverName(for: endpoint))
        case nil: tls = nil
        }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.microseconds(configuration.connectTimeout.microseconds))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // TLS first: the preface and frames travel inside it unchanged. The
                        // connection counts as made once the handshake is done, so a server
                        // that refuses it is a connect failure (backoff, next endpoint).
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverName)
                        )
                        try channel.pipeline.syncOperations.addHandler(
                            TLSHandshakeObserver(handshake: channel.eventLoop.makePromise(), endpoint: endpoint)
                        )
                    }
                    let handler = ClientConnectionHandler(
                        endpoint: endpoint,
                        configuration: configuration,
                        logger: logger,
                        // Identify the channel, don't hold it: the handler lives in the channel's
                        // pipeline, so a strong capture would be a reference cycle.
                        onUnusable: { [weak self, id = ObjectIdentifier(channel)] in
                            self?.connectionBecameUnusable(id)
                        }
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(maxFrameBytes: configuration.maxFrameBytes))
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        return bootstrap.connect(host: endpoint.host, port: endpoint.port)
            .flatMap { channel in
                guard tls != nil else { return channel.eventLoop.makeSucceededFuture(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.handler(type: TLSHandshakeObserver.self).handshake.futureResult
                }
                .flatMap { $0 }
                .map { channel }
                .flatMapErrorThrowing { error in
                    channel.close(promise: nil)
                    throw error
                }
            }
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self)
                return ConnectionHandle(
                    channel: channel,
                    handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
                    executor: EventLoopTaskExecutor(eventLoop: channel.eventLoop)
                )
            }
    }

    private func connectFinished(_ result: Result<ConnectionHandle, any Error>) {
        let closeNow: (any Channel)? = state.withLock { state in
            switch result {
            case .success(let handle):
                if case .closed = state.phase { return handle.channel }
                state.phase = .ready(handle)
                state.failures = 0
                state.retryAt = nil
                state.lastError = nil
                return nil
            case .failure(let error):
                if case .closed = state.phase { return nil }
                state.phase = .idle
                state.failures += 1
                state.retryAt = .now + configuration.backoff.delay(afterFailures: state.failures)
                state.lastError = "\(error)"
                return nil
            }
        }
        if case .failure(let error) = result {
            logger.debug("connect failed", metadata: ["rpc.endpoint": "\(endpoint)", "error": "\(error)"])
        }
        closeNow?.close(promise: nil)
    }

    /// The connection got a GOAWAY or closed: the next call opens a new one.
    private func connectionBecameUnusable(_ channel: ObjectIdentifier) {
        state.withLock { state in
            if case .ready(let handle) = state.phase, ObjectIdentifier(handle.channel) == channel {
                state.phase = .idle
            }
        }
    }

    /// Closes the connection and refuses further calls.
    func close() async {
        let channel: (any Channel)? = state.withLock { state in
            defer { state.phase = .closed }
            if case .ready(let handle) = state.phase { return handle.channel }
            return nil
        }
        try? await channel?.close()
    }
}
