import Logging
import NIOCore
import NIOSSL
import RefundMeshWire

/// The client end of one connection: numbers and sends calls, matches frames to them, applies
/// deadlines, flow control and keepalive. Every method runs on the channel's event loop.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias OutboundOut = ByteBuffer

    let endpoint: Endpoint
    let configuration: RPCClient.Configuration
    let logger: Logger
    /// Tells the pool this connection takes no new calls (GOAWAY or closed).
    let onUnusable: @Sendable () -> Void

    var context: ChannelHandlerContext?
    var calls: [UInt64: ClientCall] = [:]
    var nextCallID: UInt64 = 1
    var goAwayLastCallID: UInt64?
    var goAwayReason: String?
    var serverInitialWindow: UInt32 = 64
    var maxFrameBytes: Int
    var flushPending = false
    var writesSinceFlush = 0
    var readingBurst = false
    var lastHeard = NIODeadline.now()
    var pingSentAt: NIODeadline?
    var keepalive: RepeatedTask?
    var closedError: RPCError?

    init(
        endpoint: Endpoint,
        configuration: RPCClient.Configuration,
        logger: Logger,
        onUnusable: @escaping @Sendable () -> Void
    ) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.logger = logger
        self.onUnusable = onUnusable
        self.maxFrameBytes = configuration.maxFrameBytes
    }

    var isUsable: Bool { goAwayLastCallID == nil && closedError == nil && context != nil }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    /// Drops the context when the pipeline is torn down: holding it past that keeps the
    /// handler, its context and the pipeline alive in a cycle (e.g. after a refused connect,
    /// when the channel never becomes active and `channelInactive` never comes).
    func handlerRemoved(context: ChannelHandlerContext) {
        keepalive?.cancel()
        keepalive = nil
        if closedError == nil {
            closedError = RPCError(code: .unavailable, message: "the connection to \(endpoint) closed")
        }
        failAll(closedError!)
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private var started = false

    private func start(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        var buffer = context.channel.allocator.buffer(capacity: 8)
        buffer.writeBytes(RPCPreface.bytes)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        if let interval = configuration.keepaliveInterval, interval > .zero {
            let every = TimeAmount.microseconds(interval.microseconds)
            let timeout = TimeAmount.microseconds(configuration.keepaliveTimeout.microseconds)
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            keepalive = context.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
                loopBound.value.keepaliveTick(every: every, timeout: timeout)
            }
        }
    }

    func keepaliveTick(every: TimeAmount, timeout: TimeAmount) {
        let now = NIODeadline.now()
        if let sentAt = pingSentAt {
            if lastHeard < sentAt && now - sentAt >= timeout {
                fail(
                    RPCError(
                        code: .unavailable,
                        message: "\(endpoint) did not answer a keepalive ping within \(timeout)"
                    )
                )
            }
            return
        }
        guard now - lastHeard >= every else { return }
        var ping = Frame()
        ping.kind = .ping
        ping.pingData = UInt64(truncatingIfNeeded: now.uptimeNanoseconds)
        pingSentAt = now
        write(ping)
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepalive?.cancel()
        let reason =
            closedError
            ?? RPCError(
                code: .unavailable,
                message: "the connection to \(endpoint) closed" + (goAwayReason.map { " (\($0))" } ?? "")
            )
        closedError = reason
        failAll(reason)
        self.context = nil
        onUnusable()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let message: String
        if let error = error as? WireError {
            message = "\(endpoint) sent something this client cannot read: \(error.message)"
        } else if error is NIOSSLError || error is BoringSSLError {
            // After the handshake, e.g. a server that requires a client certificate says so here.
            message = "TLS with \(endpoint) failed: \(error)"
        } else {
            message = "connection to \(endpoint) failed: \(error)"
        }
        fail(RPCError(code: .unavailable, message: message, cause: error))
    }

    /// Fails every call and closes the connection.
    func fail(_ error: RPCError) {
        if closedError == nil { closedError = error }
        failAll(error)
        context?.close(promise: nil)
    }

    private func failAll(_ error: RPCError) {
        let pending = calls.values
        calls.removeAll()
        for call in pending { complete(call, with: .failure(error)) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        lastHeard = .now()
        pingSentAt = nil
        readingBurst = true
        switch frame.kind {
        case .status: receiveStatus(frame)
        case .message: receiveMessage(frame)
        case .window: receiveWindow(frame)
        case .settings:
            if let settings = frame.settings {
                serverInitialWindow = settings.initialWindow
                if settings.maxFrameBytes > 0 { maxFrameBytes = min(maxFrameBytes, Int(settings.maxFrameBytes)) }
            }
        case .ping:
            write(.pong(frame.pingData))
        case .pong:
            break
        case .goaway: receiveGoAway(frame)
        case .call, .cancel, .unspecified, .unrecognized:
            fail(
                RPCError(
                    code: .internalError,
                    message: "\(endpoint) sent an unexpected frame (kind \(frame.kind.rawValue))"
                )
            )
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readingBurst = false
        if flushPending { flushNow() }
        context.fireChannelReadComplete()
    }

    // MARK: Frames from the server

    private func receiveStatus(_ frame: Frame) {
        guard let call = calls.removeValue(forKey: frame.callID) else { return }
        let status = frame.status ?? Status()
        let code = StatusCode(rawValue: status.code)
        if code == .ok {
            complete(call, with: .success(frame.hasMessage ? frame.message : nil))
        } else {
            var error = RPCError(
                code: code,
                message: status.message,
                details: status.details,
                metadata: Metadata(wireEntries: frame.metadata)
            )
            if code == .unavailable, let last = goAwayLastCallID, call.id > last {
                error.cause = NeverProcessed()
            }
            complete(call, with: .failure(error))
        }
    }

    private func receiveMessage(_ frame: Frame) {
        guard let call = calls[frame.callID], case .streaming(let inbound) = call.completion, frame.hasMessage else {
            return
        }
        inbound.receive(frame.message)
    }

    private func receiveWindow(_ frame: Frame) {
        guard let call = calls[frame.callID] else { return }
        if let write = call.window.grant(frame.window) {
            send(write.bytes, for: call, continuation: write.continuation)
        }
    }

    private func receiveGoAway(_ frame: Frame) {
        let last = frame.lastCallID
        goAwayLastCallID = last
        let reason = frame.status.map { "\(StatusCode(rawValue: $0.code)): \($0.message)" } ?? "no reason given"
        goAwayReason = reason
        logger.debug("server sent GOAWAY", metadata: ["rpc.endpoint": "\(endpoint)", "reason": "\(reason)"])
        onUnusable()
        let refused = calls.values.filter { $0.id > last }
        for call in refused {
            calls.removeValue(forKey: call.id)
            complete(
                call,
                with: .failure(.neverProcessed("\(endpoint) is going away (\(reason)) and did not start this call"))
            )
        }
        if calls.isEmpty, let code = frame.status?.code, code != StatusCode.unavailable.rawValue || last == 0 {
            context?.close(promise: nil)
        }
    }

    // MARK: Calls from the client

    /// Sends the CALL frame (numbering the call), or fails the call if this connection cannot.
    func start(_ call: ClientCall, frame template: Frame) {
        guard !call.finished else { return }  // cancelled before it started
        call.started = true
        guard let context, isUsable else {
            let reason = goAwayReason ?? closedError?.message ?? "the connection is closing"
            complete(call, with: .failure(.neverProcessed("\(endpoint) cannot take new calls: \(reason)")))
            return
        }
        call.id = nextCallID
        nextCallID += 1
        call.window = OutboundWindow(credits: serverInitialWindow)
        calls[call.id] = call
        var frame = template
        frame.callID = call.id
        if let deadline = call.deadline {
            let remaining = deadline - .now()
            guard remaining > .zero else {
                calls.removeValue(forKey: call.id)
                complete(
                    call,
                    with: .failure(
                        RPCError(
                            code: .deadlineExceeded,
                            message: "the deadline passed before \(call.method.path) was sent"
                        )
                    )
                )
                return
            }
            frame.timeoutMicros = UInt64(max(remaining.nanoseconds / 1000, 1))
            call.deadlineTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
                guard !call.finished else { return }
                cancel(
                    call,
                    reason: RPCError(
                        code: .deadlineExceeded,
                        message: "\(call.method.path) did not finish before its deadline"
                    )
                )
            }
        }
        if !write(frame) {
            calls.removeValue(forKey: call.id)
            complete(
                call,
                with: .failure(
                    RPCError(
                        code: .resourceExhausted,
                        message: "the request to \(call.method.path) is over the frame limit of \(maxFrameBytes) bytes"
                    )
                )
            )
        }
    }

    /// Abandons a call: tells the server (CANCEL) and fails the caller with `reason`.
    func cancel(_ call: ClientCall, reason: RPCError) {
        guard !call.finished else { return }
        if call.started, calls.removeValue(forKey: call.id) != nil {
            write(.cancel(callID: call.id))
        }
        complete(call, with: .failure(reason))
    }

    /// Sends one request message of a streaming call, waiting for window if needed.
    func sendMessage(_ bytes: [UInt8], for call: ClientCall, continuation: CheckedContinuation<Void, any Error>) {
        guard !call.finished, calls[call.id] != nil else {
            continuation.resume(throwing: RPCError(code: .cancelled, message: "the call has ended"))
            return
        }
        if call.window.admit(bytes, continuation: continuation) {
            send(bytes, for: call, continuation: continuation)
        }
    }

    private func send(_ bytes: [UInt8], for call: ClientCall, continuation: CheckedContinuation<Void, any Error>) {
        if write(.streamMessage(callID: call.id, bytes)) {
            continuation.resume()
        } else {
            continuation.resume(
                throwing: RPCError(
                    code: .resourceExhausted,
                    message: "a request message is over the frame limit of \(maxFrameBytes) bytes"
                )
            )
        }
    }

    /// No more request messages.
    func halfClose(_ call: ClientCall) {
        guard !call.finished, calls[call.id] != nil else { return }
        write(.halfClose(callID: call.id))
    }

    /// Returns flow-control credits to the server for response messages read.
    func grant(_ credits: UInt32, to call: ClientCall) {
        guard !call.finished, calls[call.id] != nil else { return }
        write(.window(callID: call.id, credits: credits))
    }

    /// Resolves the caller's side of a call exactly once.
    private func complete(_ call: ClientCall, with result: Result<[UInt8]?, RPCError>) {
        guard !call.finished else { return }
        call.finished = true
        call.deadlineTimer?.cancel()
        call.window.failParked(RPCError(code: .cancelled, message: "the call has ended"))
        switch call.completion {
        case .unary(let continuation):
            switch result {
            case .success(let bytes?): continuation.resume(returning: bytes)
            case .success(nil):
                continuation.resume(
                    throwing: RPCError(
                        code: .internalError,
                        message: "\(call.method.path) ended OK without a response message"
                    )
                )
            case .failure(let error): continuation.resume(throwing: error)
            }
        case .streaming(let inbound):
            switch result {
            case .success(let bytes):
                if let bytes { inbound.receive(bytes) }
                inbound.finish()
            case .failure(let error): inbound.finish(error)
            }
        case nil:
            break
        }
        call.completion = nil
        if goAwayLastCallID != nil, calls.isEmpty { context?.close(promise: nil) }
    }

    // MARK: Writing

    @discardableResult
    func write(_ frame: Frame) -> Bool {
        guard let context else { return false }
        var buffer = context.channel.allocator.buffer(capacity: 32 + frame.message.count + frame.method.utf8.count)
        do {
            try frame.encodeLengthPrefixed(into: &buffer, maxFrameBytes: maxFrameBytes)
        } catch {
            return false
        }
        context.write(wrapOutboundOut(buffer), promise: nil)
        writesSinceFlush += 1
        if writesSinceFlush >= configuration.framesPerFlush {
            flushNow()
            return true
        }
        if !flushPending {
            flushPending = true
            if !readingBurst {
                context.eventLoop.assumeIsolated().execute { [self] in
                    if flushPending { flushNow() }
                }
            }
        }
        return true
    }

    private func flushNow() {
        flushPending = false
        writesSinceFlush = 0
        context?.flush()
    }
}
