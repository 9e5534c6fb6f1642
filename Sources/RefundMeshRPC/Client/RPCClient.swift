import Logging
import NIOCore
import NIOPosix
import RefundMeshWire
import ServiceLifecycle
import Synchronization

/// Calls methods on one or more servers: connection reuse, reconnection with backoff,
/// round-robin over endpoints, deadlines, cancellation, interceptors and safe retries.
///
/// Generated clients (`Health.Client`) wrap one. Connections open lazily on the first call. As
/// a `Service` it runs until graceful shutdown and then closes; or call ``close()``.
///
/// Retries happen only where they are safe: a call that no server could have acted on (the
/// endpoint was unreachable, or a GOAWAY said the call was not started) is retried on the next
/// endpoint whatever the method; a call that failed UNAVAILABLE after it was sent is retried only
/// when the method is declared idempotent (or ``CallOptions/isIdempotent`` says so).
public final class RPCClient: Service, Sendable {
    public let configuration: Configuration
    private let endpoints: [EndpointConnection]
    private let next = Atomic<Int>(0)
    private let logger: Logger

    public init(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "refundmesh.rpc.client")
    ) {
        precondition(!configuration.endpoints.isEmpty, "an RPCClient needs at least one endpoint")
        self.configuration = configuration
        self.logger = logger
        self.endpoints = configuration.endpoints.map {
            EndpointConnection(endpoint: $0, configuration: configuration, group: eventLoopGroup, logger: logger)
        }
    }

    /// A client for a single `host:port`.
    public convenience init(host: String, port: Int, logger: Logger = Logger(label: "refundmesh.rpc.client")) {
        self.init(configuration: Configuration(endpoints: [Endpoint(host: host, port: port)]), logger: logger)
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes every connection; calls in flight fail UNAVAILABLE.
    public func close() async {
        for endpoint in endpoints { await endpoint.close() }
    }

    // MARK: Picking a connection

    /// The next usable connection in round-robin order, skipping endpoints in backoff.
    private func connection() async throws -> ConnectionHandle {
        let count = endpoints.count
        let start = next.add(1, ordering: .relaxed).oldValue
        var failures: [String] = []
        for offset in 0..<count {
            let endpoint = endpoints[(start &+ offset) % count]
            if count > 1, endpoint.backoffUntil != nil {
                failures.append("\(endpoint.endpoint): in backoff after \(endpoint.lastError ?? "an error")")
                continue
            }
            do {
                return try await endpoint.connection()
            } catch let error as RPCError {
                failures.append(error.message)
            }
        }
        throw RPCError.neverProcessed(
            count == 1 ? failures.joined() : "no endpoint is reachable: " + failures.joined(separator: "; ")
        )
    }

    // MARK: Calls

    private func deadline(for options: CallOptions) -> ContinuousClock.Instant? {
        let own = (options.timeout ?? configuration.defaultTimeout).map { ContinuousClock.now + $0 }
        let inherited = CallScope.current?.deadline
        switch (own, inherited) {
        case (let own?, let inherited?): return min(own, inherited)
        case (let own?, nil): return own
        case (nil, let inherited?): return inherited
        case (nil, nil): return nil
        }
    }

    private func callFrame(_ method: MethodDescriptor, options: CallOptions) -> Frame {
        var frame = Frame()
        frame.kind = .call
        frame.method = method.path
        frame.window = configuration.responseWindow
        var metadata = options.metadata
        if metadata["x-request-id"] == nil, let requestID = CallScope.current?.requestID {
            metadata.addString(requestID, forKey: "x-request-id")
        }
        if metadata[TraceID.metadataKey] == nil, let traceID = TraceID.current {
            metadata.addString(traceID, forKey: TraceID.metadataKey)
        }
        if !metadata.isEmpty { frame.metadata = metadata.wireEntries }
        return frame
    }

    private func intercepted<Output: Sendable>(
        _ method: MethodDescriptor,
        options: CallOptions,
        _ interceptors: ArraySlice<any ClientInterceptor>,
        body: (CallOptions) async throws -> Output
    ) async throws -> Output {
        guard let first = interceptors.first else { return try await body(options) }
        return try await first.intercept(method: method, options: options) { options in
            try await intercepted(method, options: options, interceptors.dropFirst(), body: body)
        }
    }

    package func performUnary(
        _ method: MethodDescriptor,
        requestBytes: [UInt8],
        options: CallOptions
    ) async throws -> [UInt8] {
        try await intercepted(method, options: options, configuration.interceptors[...]) { options in
            let deadline = self.deadline(for: options)
            let nioDeadline = deadline.map(NIODeadline.init)
            var frame = callFrame(method, options: options)
            frame.hasMessage = true
            frame.message = requestBytes
            frame.endStream = true
            let idempotent = options.isIdempotent ?? method.isIdempotent
            var attempt = 0
            while true {
                attempt += 1
                do {
                    let handle = try await connection()
                    return try await unaryAttempt(method, frame: frame, deadline: nioDeadline, on: handle)
                } catch let error as RPCError {
                    guard error.code == .unavailable, error.wasNeverProcessed || idempotent,
                        attempt < max(options.maxAttempts, 1) + (error.wasNeverProcessed ? endpoints.count : 0)
                    else { throw error }
                    if let deadline, deadline <= .now { throw error }
                    try await pauseBeforeRetry(attempt: attempt, deadline: deadline)
                    logger.debug(
                        "retrying",
                        metadata: ["rpc.method": "\(method.path)", "attempt": "\(attempt + 1)", "error": "\(error)"]
                    )
                }
            }
        }
    }

    /// Waits before the next attempt: nothing for the first retry (another endpoint may be
    /// fine), then the backoff, never past the deadline.
    private func pauseBeforeRetry(attempt: Int, deadline: ContinuousClock.Instant?) async throws {
        guard attempt > 1 else { return }
        var delay = configuration.backoff.delay(afterFailures: attempt - 1)
        if let deadline {
            delay = min(delay, ContinuousClock.now.duration(to: deadline))
        }
        if delay > .zero { try await Task.sleep(for: delay) }
    }

    private func unaryAttempt(
        _ method: MethodDescriptor,
        frame: Frame,
        deadline: NIODeadline?,
        on handle: ConnectionHandle
    ) async throws -> [UInt8] {
        let call = ClientCall(method: method, deadline: deadline)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                call.completion = .unary(continuation)
                handle.onLoop { handler in handler.start(call, frame: frame) }
            }
        } onCancel: {
            handle.onLoop { handler in
                handler.cancel(call, reason: RPCError(code: .cancelled, message: "the caller cancelled \(method.path)"))
            }
        }
    }

    package func performStreaming<Result: Sendable>(
        _ method: MethodDescriptor,
        options: CallOptions,
        requests: @escaping @Sendable (@escaping @Sendable ([UInt8]) async throws -> Void) async throws -> Void,
        singleRequest: [UInt8]?,
        onResponse: (InboundMessages) async throws -> Result
    ) async throws -> Result {
        try await intercepted(method, options: options, configuration.interceptors[...]) { options in
            let deadline = self.deadline(for: options).map(NIODeadline.init)
            var frame = callFrame(method, options: options)
            if let singleRequest {
                frame.hasMessage = true
                frame.message = singleRequest
                frame.endStream = true
            }
            let handle = try await connection()
            let call = ClientCall(method: method, deadline: deadline)
            let boundCall = call
            let inbound = InboundMessages(window: configuration.responseWindow) { credits in
                handle.onLoop { handler in handler.grant(credits, to: boundCall) }
            }
            call.completion = .streaming(inbound)
            let startFrame = frame
            handle.onLoop { handler in handler.start(call, frame: startFrame) }
            let cancelCall: @Sendable (RPCError) -> Void = { reason in
                handle.onLoop { handler in handler.cancel(call, reason: reason) }
            }
            return try await withTaskCancellationHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    if singleRequest == nil {
                        group.addTask {
                            do {
                                try await requests { bytes in
                                    try await withCheckedThrowingContinuation { continuation in
                                        handle.onLoop { handler in
                                            handler.sendMessage(bytes, for: call, continuation: continuation)
                                        }
                                    }
                                }
                                handle.onLoop { handler in handler.halfClose(call) }
                            } catch let error as RPCError where error.code == .cancelled {
                                // The call ended first; its outcome is reported by the response side.
                            } catch {
                                cancelCall(
                                    RPCError(
                                        code: .cancelled,
                                        message: "the request writer failed: \(error)",
                                        cause: error
                                    )
                                )
                            }
                        }
                    }
                    defer { group.cancelAll() }
                    do {
                        let result = try await onResponse(inbound)
                        cancelCall(RPCError(code: .cancelled, message: "the caller stopped reading \(method.path)"))
                        return result
                    } catch {
                        cancelCall(RPCError(code: .cancelled, message: "the caller stopped reading \(method.path)"))
                        throw error
                    }
                }
            } onCancel: {
                cancelCall(RPCError(code: .cancelled, message: "the caller cancelled \(method.path)"))
            }
        }
    }
}

extension NIODeadline {
    init(_ instant: ContinuousClock.Instant) {
        let remaining = ContinuousClock.now.duration(to: instant)
        self = .now() + .nanoseconds(remaining.nanoseconds)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }
}
