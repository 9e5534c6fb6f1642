import Logging
import NIOCore
import NIOSSL
import RefundMeshWire

/// Serves the calls of one connection: routes CALL frames to handlers, enforces the limits,
/// flow control and deadlines, and writes STATUS frames. Every method runs on the channel's
/// event loop; handler tasks run there too (``EventLoopTaskExecutor``).
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias OutboundOut = ByteBuffer

    /// The longest method path accepted; a longer one is INVALID_ARGUMENT (real paths are
    /// `/package.Service/Method`, far shorter).
    static let maxMethodPathBytes = 512

    struct Settings {
        var limits: RPCServer.Limits
        var idleTimeout: Duration
        var interceptors: [any ServerInterceptor]
        var framesPerFlush: Int
    }

    let router: MethodRouter
    let settings: Settings
    var logger: Logger
    /// Set when the server refused this connection (connection limit or shutdown): it is told
    /// why in a GOAWAY and closed.
    let rejection: RPCError?
    /// Called on the event loop when the connection has drained (no calls left after GOAWAY).
    let onDrained: () -> Void

    /// Nil before the handler is added and after it is removed; every use checks.
    var context: ChannelHandlerContext?
    var executor: EventLoopTaskExecutor!
    /// The connection's event loop (kept after the context is dropped).
    var eventLoop: any EventLoop { executor.eventLoop }
    var peer = "unknown"
    var calls: [UInt64: ServerCall] = [:]
    var highestCallID: UInt64 = 0
    var draining = false
    var closing = false
    var flushPending = false
    var readingBurst = false
    var writesSinceFlush = 0
    var lastActivity = NIODeadline.now()
    var idleCheck: RepeatedTask?
    /// CALL frames this connection has carried (``RPCServer/Limits/maxCallsPerConnection``).
    var callsCarried = 0
    /// Set while the channel is not writable (the peer is not reading); closes the connection
    /// when it fires (``RPCServer/Limits/outboundStallTimeout``).
    var stallCheck: Scheduled<Void>?
    /// Calls whose streaming handler waits for the channel to become writable again.
    var callsAwaitingWritability: [UInt64] = []

    init(
        router: MethodRouter,
        settings: Settings,
        logger: Logger,
        rejection: RPCError?,
        onDrained: @escaping () -> Void
    ) {
        self.router = router
        self.settings = settings
        self.logger = logger
        self.rejection = rejection
        self.onDrained = onDrained
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.executor = EventLoopTaskExecutor(eventLoop: context.eventLoop)
        if let address = context.channel.remoteAddress {
            peer = "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        }
        logger[metadataKey: "rpc.peer"] = "\(peer)"
        if context.channel.isActive { start(context: context) }
    }

    /// Drops the context when the pipeline is torn down, so handler and context do not keep
    /// each other alive.
    func handlerRemoved(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        stallCheck?.cancel()
        stallCheck = nil
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
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeBytes(RPCPreface.bytes)
        context.write(wrapOutboundOut(buffer), promise: nil)
        if let rejection {
            sendGoAway(rejection, andClose: true)
            return
        }
        let limits = settings.limits
        var frame = Frame()
        frame.kind = .settings
        frame.settings = RefundMeshWire.Settings(
            maxFrameBytes: UInt32(clamping: limits.maxFrameBytes),
            maxConcurrentCalls: UInt32(clamping: limits.maxConcurrentCallsPerConnection),
            initialWindow: limits.initialWindow,
            idleTimeoutMillis: UInt32(clamping: settings.idleTimeout.milliseconds)
        )
        _ = write(frame)
        flushNow()
        startIdleCheck()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        stallCheck?.cancel()
        let abandoned = calls.values
        calls.removeAll()
        for call in abandoned {
            abandon(call, because: RPCError(code: .unavailable, message: "the connection closed"))
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        lastActivity = .now()
        readingBurst = true
        switch frame.kind {
        case .call: receiveCall(frame)
        case .message: receiveMessage(frame)
        case .cancel: receiveCancel(frame)
        case .window: receiveWindow(frame)
        case .ping:
            write(.pong(frame.pingData))
        case .pong, .settings:
            break
        case .goaway:
            // The client will start no more calls here; finish what is running, then close.
            draining = true
            closeIfDrained()
        case .status:
            protocolViolation("a client must not send STATUS frames")
        case .unspecified, .unrecognized:
            protocolViolation("unknown frame kind \(frame.kind.rawValue)")
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readingBurst = false
        if flushPending { flushNow() }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !closing else { return }
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
            // No GOAWAY: without a TLS session there is no way to say it the peer could read.
            logger.notice("closing connection after a TLS error", metadata: ["error": "\(error)"])
            closing = true
            context.close(promise: nil)
        } else if let error = error as? WireError {
            let code: StatusCode
            switch error.code {
            case .frameTooLarge: code = .resourceExhausted
            case .unsupportedVersion: code = .failedPrecondition
            default: code = .invalidArgument
            }
            logger.notice("closing connection after a wire error", metadata: ["error": "\(error)"])
            sendGoAway(RPCError(code: code, message: error.message), andClose: true)
        } else if error is ChannelError || error is IOError {
            logger.debug("connection error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        } else {
            logger.warning("closing connection after an unexpected error", metadata: ["error": "\(error)"])
            sendGoAway(RPCError(code: .internalError, message: "internal error on the connection"), andClose: true)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let expired = event as? InboundDeadlineHandler.Expired {
            guard !closing else { return }
            let violation = expired.violation
            logger.notice(
                "closing a connection that sends too slowly",
                metadata: ["rpc.limit": "\(violation.limit)", "reason": "\(violation.message)"]
            )
            sendGoAway(RPCError(code: .deadlineExceeded, message: violation.message), andClose: true)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Watches the outbound buffer: over ``RPCServer/Limits/maxBufferedOutboundBytes`` (the
    /// channel's high water mark) streaming handlers wait, and a peer that stays that far behind
    /// for ``RPCServer/Limits/outboundStallTimeout`` is closed.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stallCheck?.cancel()
            stallCheck = nil
            resumeCallsAwaitingWritability()
        } else if stallCheck == nil {
            let limits = settings.limits
            stallCheck = context.eventLoop.assumeIsolated().scheduleTask(in: .init(limits.outboundStallTimeout)) {
                [self] in
                stallCheck = nil
                guard let context = self.context, !context.channel.isWritable, !closing else { return }
                logger.notice(
                    "closing a connection whose peer stopped reading",
                    metadata: [
                        "rpc.limit": "maxBufferedOutboundBytes",
                        "reason":
                            "over \(limits.maxBufferedOutboundBytes) bytes queued for the peer for \(limits.outboundStallTimeout)",
                    ]
                )
                // No GOAWAY: the peer is not reading, and it would queue behind everything else.
                closing = true
                context.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Draining and closing

    /// Refuses new calls with a GOAWAY, lets running calls finish, then closes.
    /// - Parameter message: the GOAWAY's reason (status UNAVAILABLE).
    func drain(because message: String = "the server is shutting down; retry on another endpoint") {
        guard !draining, !closing else { return }
        draining = true
        sendGoAway(RPCError(code: .unavailable, message: message), andClose: false)
        closeIfDrained()
    }

    /// Cancels every running call and closes now (the drain grace period ran out).
    func forceClose() {
        guard !closing else { return }
        for call in calls.values {
            finish(
                call,
                with: .failure(RPCError(code: .unavailable, message: "the server shut down before the call finished"))
            )
        }
        closing = true
        flushNow()
        context?.close(promise: nil)
    }

    func closeIfDrained() {
        guard draining, calls.isEmpty, !closing else { return }
        closing = true
        flushNow()
        context?.close(promise: nil)
        onDrained()
    }

    func sendGoAway(_ reason: RPCError, andClose close: Bool) {
        var frame = Frame()
        frame.kind = .goaway
        frame.lastCallID = highestCallID
        frame.status = Status(code: reason.code.rawValue, message: reason.message)
        _ = write(frame)
        flushNow()
        if close { closeAfterGoAway() }
    }

    /// Closes our side after a GOAWAY so the peer reads it before the connection ends: a plain
    /// close with unread input would send a reset, and the peer's kernel would drop the GOAWAY.
    /// The peer closes in turn when it sees our end; if it does not, we close after a second.
    private func closeAfterGoAway() {
        guard !closing, let context else { return }
        closing = true
        context.close(mode: .output, promise: nil)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
    }

    func protocolViolation(_ message: String) {
        logger.notice("protocol violation", metadata: ["reason": "\(message)"])
        sendGoAway(RPCError(code: .invalidArgument, message: "protocol violation: \(message)"), andClose: true)
    }

    private func startIdleCheck() {
        let timeout = settings.idleTimeout
        guard timeout > .zero, let context else { return }
        let idleNanos = Int64(timeout.milliseconds) * 1_000_000
        let interval = TimeAmount.nanoseconds(max(idleNanos / 4, 10_000_000))
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let handler = loopBound.value
            guard handler.calls.isEmpty, !handler.closing,
                NIODeadline.now() - handler.lastActivity >= .nanoseconds(idleNanos)
            else { return }
            handler.logger.debug("closing idle connection")
            handler.sendGoAway(
                RPCError(code: .unavailable, message: "idle timeout: no calls for \(timeout)"),
                andClose: true
            )
        }
    }

    // MARK: Writing

    /// Queues a frame; the flush is coalesced with others written in the same loop tick, or
    /// sent at once when ``RPCServer/Configuration/framesPerFlush`` frames are waiting.
    @discardableResult
    func write(_ frame: Frame) -> Bool {
        guard let context else { return false }
        var buffer = context.channel.allocator.buffer(capacity: 32 + frame.message.count)
        do {
            try frame.encodeLengthPrefixed(into: &buffer, maxFrameBytes: settings.limits.maxFrameBytes)
        } catch {
            logger.error("could not encode a frame", metadata: ["error": "\(error)"])
            return false
        }
        context.write(wrapOutboundOut(buffer), promise: nil)
        writesSinceFlush += 1
        if writesSinceFlush >= settings.framesPerFlush {
            flushNow()
            return true
        }
        scheduleFlush()
        return true
    }

    func scheduleFlush() {
        guard !flushPending, let context else { return }
        flushPending = true
        guard !readingBurst else { return }  // channelReadComplete flushes
        context.eventLoop.assumeIsolated().execute { [self] in
            if flushPending { flushNow() }
        }
    }

    func flushNow() {
        flushPending = false
        writesSinceFlush = 0
        context?.flush()
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
