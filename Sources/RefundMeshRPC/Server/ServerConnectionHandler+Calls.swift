import Logging
import NIOCore
import RefundMeshTracing
import RefundMeshWire

extension ServerConnectionHandler {
    // MARK: Inbound call frames

    func receiveCall(_ frame: Frame) {
        guard frame.callID > highestCallID else {
            protocolViolation("call id \(frame.callID) is not above the previous call id \(highestCallID)")
            return
        }
        highestCallID = frame.callID
        if draining {
            answerWithoutRunning(
                frame.callID,
                RPCError(code: .unavailable, message: "the server is shutting down; retry on another endpoint")
            )
            return
        }
        let limits = settings.limits
        callsCarried += 1
        // After this call is registered (or answered), later ones go to a new connection,
        // which may be on another server: long-lived connections rebalance.
        let lastCallOnConnection = callsCarried >= limits.maxCallsPerConnection
        defer {
            if lastCallOnConnection {
                logger.notice(
                    "asking the peer to reconnect",
                    metadata: [
                        "rpc.limit": "maxCallsPerConnection", "reason": "\(callsCarried) calls on one connection",
                    ]
                )
                drain(
                    because:
                        "this connection has carried \(callsCarried) calls, the limit per connection; reconnect for more calls"
                )
            }
        }
        guard frame.method.utf8.count <= Self.maxMethodPathBytes else {
            refuseOverLimit(
                frame,
                RPCError(
                    code: .invalidArgument,
                    message:
                        "the method path is \(frame.method.utf8.count) bytes long; this server accepts at most \(Self.maxMethodPathBytes)"
                ),
                limit: "maxMethodPathBytes"
            )
            return
        }
        if let violation = limits.violation(inMetadata: frame.metadata) {
            refuseOverLimit(frame, violation.error, limit: violation.limit)
            return
        }
        guard calls.count < limits.maxConcurrentCallsPerConnection else {
            refuseOverLimit(
                frame,
                RPCError(
                    code: .resourceExhausted,
                    message:
                        "too many concurrent calls on this connection (limit \(limits.maxConcurrentCallsPerConnection)); wait for some to finish or open another connection"
                ),
                limit: "maxConcurrentCallsPerConnection"
            )
            return
        }
        guard let handler = router.handler(for: frame.method) else {
            answerWithoutRunning(
                frame.callID,
                RPCError(code: .unimplemented, message: router.unimplementedMessage(for: frame.method))
            )
            return
        }
        let call = ServerCall(
            id: frame.callID,
            handler: handler,
            inboundWindow: limits.initialWindow,
            outboundWindow: frame.window == 0 ? limits.initialWindow : frame.window
        )
        calls[call.id] = call

        let metadata = Metadata(wireEntries: frame.metadata)
        let requestID = RequestID.validated(metadata["x-request-id"]) ?? RequestID.make()
        // One trace id follows the work across services (the caller's, or a new one here).
        let traceID = TraceID.validated(metadata[TraceID.metadataKey]) ?? TraceID.make()
        var deadline: ContinuousClock.Instant?
        if frame.timeoutMicros > 0 {
            let timeout = Duration.microseconds(Int64(clamping: frame.timeoutMicros))
            deadline = .now + timeout
            call.deadlineTimer = eventLoop.assumeIsolated().scheduleTask(
                in: .microseconds(Int64(clamping: frame.timeoutMicros))
            ) { [self] in
                guard !call.finished else { return }
                finish(
                    call,
                    with: .failure(
                        RPCError(
                            code: .deadlineExceeded,
                            message: "the deadline of \(timeout) passed before \(handler.method.path) finished"
                        )
                    )
                )
            }
        }
        var callLogger = logger
        callLogger[metadataKey: "rpc.method"] = "\(handler.method.path)"
        callLogger[metadataKey: "request.id"] = "\(requestID)"
        callLogger[metadataKey: TraceID.logKey] = "\(traceID)"
        let serverContext = ServerContext(
            method: handler.method,
            metadata: metadata,
            deadline: deadline,
            peer: peer,
            requestID: requestID,
            traceID: traceID,
            logger: callLogger
        )

        // The unary fast path: the request came in the CALL frame itself.
        if case .unary(let body) = handler.body, frame.hasMessage, frame.endStream {
            start(call, context: serverContext) { context in try await body(frame.message, context) }
            return
        }

        let inbound = makeInbound(for: call)
        call.inbound = inbound
        if frame.hasMessage { acceptInbound(frame.message, for: call) }
        if frame.endStream { inbound.finish() }
        switch handler.body {
        case .unary(let body):
            start(call, context: serverContext) { context in
                guard let request = try await inbound.next() else {
                    throw RPCError(
                        code: .invalidArgument,
                        message: "the call carried no request message; this method takes exactly one"
                    )
                }
                return try await body(request, context)
            }
        case .streaming(let body):
            let sink = makeSink(for: call)
            start(call, context: serverContext) { context in try await body(inbound, sink, context) }
        }
    }

    func receiveMessage(_ frame: Frame) {
        // A message for a call that already ended (we answered, or the deadline passed) is dropped.
        guard let call = calls[frame.callID], let inbound = call.inbound else {
            if frame.callID > highestCallID {
                protocolViolation("MESSAGE for call \(frame.callID), which was never opened")
            }
            return
        }
        if frame.hasMessage {
            guard call.inboundWindowRemaining > 0 else {
                logger.notice(
                    "ended a call over a limit",
                    metadata: [
                        "rpc.limit": "initialWindow", "rpc.method": "\(call.handler.method.path)",
                        "reason": "request messages beyond the flow-control window",
                    ]
                )
                finish(
                    call,
                    with: .failure(
                        RPCError(
                            code: .resourceExhausted,
                            message: "the client sent more request messages than its flow-control window allowed"
                        )
                    )
                )
                return
            }
            acceptInbound(frame.message, for: call)
        }
        if frame.endStream { inbound.finish() }
    }

    func receiveCancel(_ frame: Frame) {
        guard let call = calls.removeValue(forKey: frame.callID) else { return }
        abandon(call, because: RPCError(code: .cancelled, message: "the client cancelled the call"))
        closeIfDrained()
    }

    func receiveWindow(_ frame: Frame) {
        guard let call = calls[frame.callID] else { return }
        if let write = call.window.grant(frame.window) {
            send(write.bytes, for: call, continuation: write.continuation)
        }
    }

    // MARK: Running handlers

    private func start(
        _ call: ServerCall,
        context serverContext: ServerContext,
        body: @escaping @Sendable (ServerContext) async throws -> [UInt8]?
    ) {
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let boundCall = NIOLoopBound(call, eventLoop: eventLoop)
        let interceptors = settings.interceptors
        let scope = CallScope(deadline: serverContext.deadline, requestID: serverContext.requestID)
        call.task = Task(executorPreference: executor) {
            let result = await runHandler(body, context: serverContext, scope: scope, interceptors: interceptors)
            let eventLoop = loopBound.eventLoop
            if eventLoop.inEventLoop {
                loopBound.value.finish(boundCall.value, with: result)
            } else {
                eventLoop.execute { loopBound.value.finish(boundCall.value, with: result) }
            }
        }
    }

    fileprivate static func intercept(
        _ interceptors: ArraySlice<any ServerInterceptor>,
        context: ServerContext,
        body: @Sendable (ServerContext) async throws -> [UInt8]?
    ) async throws -> [UInt8]? {
        guard let first = interceptors.first else { return try await body(context) }
        return try await first.intercept(context: context) { context in
            try await intercept(interceptors.dropFirst(), context: context, body: body)
        }
    }

    /// Answers the call once: with the response (and OK) or the error's status.
    func finish(_ call: ServerCall, with result: Result<[UInt8]?, RPCError>) {
        guard !call.finished else { return }
        call.finished = true
        calls.removeValue(forKey: call.id)
        call.deadlineTimer?.cancel()
        let frame: Frame
        switch result {
        case .success(let response):
            var ok = Frame()
            ok.kind = .status
            ok.callID = call.id
            ok.status = Status(code: StatusCode.ok.rawValue)
            if let response {
                ok.hasMessage = true
                ok.message = response
            }
            frame = ok
        case .failure(let error):
            frame = .status(callID: call.id, error: error)
            // The handler may still be running (deadline, shutdown): stop it.
            call.task?.cancel()
        }
        if !write(frame) {
            let limit = settings.limits.maxFrameBytes
            let tooLarge = RPCError(
                code: .resourceExhausted,
                message: "the response is over the frame limit of \(limit) bytes"
            )
            write(.status(callID: call.id, error: tooLarge))
        }
        call.inbound?.finish(RPCError(code: .cancelled, message: "the call has ended"))
        call.window.failParked(RPCError(code: .cancelled, message: "the call has ended"))
        call.failWriteAwaitingWritability(RPCError(code: .cancelled, message: "the call has ended"))
        closeIfDrained()
    }

    /// Stops a call without answering (the client cancelled, or the connection is gone).
    func abandon(_ call: ServerCall, because reason: RPCError) {
        guard !call.finished else { return }
        call.finished = true
        call.deadlineTimer?.cancel()
        call.task?.cancel()
        call.inbound?.finish(reason)
        call.window.failParked(reason)
        call.failWriteAwaitingWritability(reason)
    }

    private func answerWithoutRunning(_ callID: UInt64, _ error: RPCError) {
        write(.status(callID: callID, error: error))
    }

    /// Answers a call that broke a per-call limit without running it, and logs it; the
    /// connection stays up.
    private func refuseOverLimit(_ frame: Frame, _ error: RPCError, limit: String) {
        logger.notice(
            "refused a call over a limit",
            metadata: [
                "rpc.limit": "\(limit)", "rpc.method": "\(RPCServer.Limits.loggable(frame.method))",
                "reason": "\(error.message)",
            ]
        )
        answerWithoutRunning(frame.callID, error)
    }

    // MARK: Streams and flow control

    private func makeInbound(for call: ServerCall) -> InboundMessages {
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let callID = call.id
        return InboundMessages(window: settings.limits.initialWindow) { credits in
            let grant: @Sendable () -> Void = {
                let handler = loopBound.value
                guard let call = handler.calls[callID] else { return }
                call.inboundWindowRemaining &+= credits
                handler.write(.window(callID: callID, credits: credits))
            }
            if loopBound.eventLoop.inEventLoop { grant() } else { loopBound.eventLoop.execute(grant) }
        }
    }

    private func acceptInbound(_ message: [UInt8], for call: ServerCall) {
        call.inboundWindowRemaining -= 1
        call.inbound?.receive(message)
    }

    private func makeSink(for call: ServerCall) -> RPCMethodHandler.Sink {
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let boundCall = NIOLoopBound(call, eventLoop: eventLoop)
        return { bytes in
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let send: @Sendable () -> Void = {
                    loopBound.value.sendResponseMessage(bytes, for: boundCall.value, continuation: continuation)
                }
                if loopBound.eventLoop.inEventLoop { send() } else { loopBound.eventLoop.execute(send) }
            }
        }
    }

    /// Sends one response message now if the client's window allows, otherwise parks it.
    func sendResponseMessage(
        _ bytes: [UInt8],
        for call: ServerCall,
        continuation: CheckedContinuation<Void, any Error>
    ) {
        guard !call.finished else {
            continuation.resume(throwing: RPCError(code: .cancelled, message: "the call has ended"))
            return
        }
        if let context, !context.channel.isWritable {
            // The peer is behind by more than maxBufferedOutboundBytes: wait until it catches up.
            call.awaitingWritability = (bytes, continuation)
            callsAwaitingWritability.append(call.id)
            return
        }
        if call.window.admit(bytes, continuation: continuation) {
            send(bytes, for: call, continuation: continuation)
        }
    }

    /// The channel is writable again: streaming handlers that waited for it go on.
    func resumeCallsAwaitingWritability() {
        let waiting = callsAwaitingWritability
        callsAwaitingWritability = []
        for id in waiting {
            guard let call = calls[id], let write = call.awaitingWritability else { continue }
            call.awaitingWritability = nil
            sendResponseMessage(write.bytes, for: call, continuation: write.continuation)
        }
    }

    private func send(_ bytes: [UInt8], for call: ServerCall, continuation: CheckedContinuation<Void, any Error>) {
        if write(.streamMessage(callID: call.id, bytes)) {
            continuation.resume()
        } else {
            continuation.resume(
                throwing: RPCError(
                    code: .resourceExhausted,
                    message: "a response message is over the frame limit of \(settings.limits.maxFrameBytes) bytes"
                )
            )
        }
    }
}

/// Request ids for calls that arrive without a usable one.
enum RequestID {
    /// The caller's request id if it can go into log lines and outgoing calls as it is: 1 to
    /// 128 printable ASCII characters, no spaces; nil otherwise (the call gets a new one).
    static func validated(_ candidate: String?) -> String? {
        guard let candidate, (1...128).contains(candidate.utf8.count),
            candidate.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { return nil }
        return candidate
    }

    /// 16 hex digits, unique within the process: the first half of a new ``TraceID``, which needs
    /// no system call (a `getrandom` per call showed in the server's profile).
    static func make() -> String {
        String(TraceID.make().prefix(16))
    }
}

/// Runs a handler inside its call scope and interceptors, and turns any error into a status.
private func runHandler(
    _ body: @escaping @Sendable (ServerContext) async throws -> [UInt8]?,
    context: ServerContext,
    scope: CallScope,
    interceptors: [any ServerInterceptor]
) async -> Result<[UInt8]?, RPCError> {
    do {
        let response = try await CallScope.$current.withValue(scope) {
            try await TraceID.$current.withValue(context.traceID) {
                try await ServerConnectionHandler.intercept(interceptors[...], context: context, body: body)
            }
        }
        return .success(response)
    } catch {
        let rpcError = RPCError.from(error, requestID: context.requestID)
        if rpcError.code == .internalError {
            context.logger.error("handler failed", metadata: ["error": "\(error)"])
        }
        return .failure(rpcError)
    }
}
