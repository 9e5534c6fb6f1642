import NIOCore

/// Cuts off peers that send too slowly to be served: a connection that does not send the
/// preface and a first frame within ``RPCServer/Limits/handshakeTimeout``, or a frame whose bytes
/// trickle in for longer than ``RPCServer/Limits/frameTimeout`` (slowloris).
///
/// The connection's `lastActivity` moves only when whole frames decode, so without this a peer
/// sending one byte a second would hold a connection and its half-read frame forever. Sits
/// between TLS and the frame decoder, so it sees the plaintext bytes and TLS handshake time
/// counts against the handshake timeout. On a violation it fires ``Expired`` down the pipeline;
/// ``ServerConnectionHandler`` logs it, sends the GOAWAY and closes.
final class InboundDeadlineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The user event fired when the peer has overrun a limit.
    struct Expired {
        let violation: StateMachine.Violation
    }

    private let handshakeTimeout: Duration
    private let frameTimeout: Duration
    /// Made when the handler is added: the handshake timeout counts from then.
    private var state: StateMachine?
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    private var expired = false

    /// - Parameters: zero for either timeout means no limit.
    init(handshakeTimeout: Duration, frameTimeout: Duration) {
        self.handshakeTimeout = handshakeTimeout
        self.frameTimeout = frameTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // The loop's clock, not the wall's: tests drive an EmbeddedEventLoop's time.
        state = StateMachine(
            connectedAt: context.eventLoop.now,
            handshakeTimeout: handshakeTimeout,
            frameTimeout: frameTimeout
        )
        scheduleCheck()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimer()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        state?.received(buffer.readableBytesView, at: context.eventLoop.now)
        context.fireChannelRead(data)
        scheduleCheck()
    }

    /// Keeps one timer at the earliest pending deadline. Deadlines only move later (a frame
    /// completes, the next starts later), so an early timer just looks again and re-arms.
    private func scheduleCheck() {
        guard !expired, let context, let deadline = state?.nextDeadline else { return }
        if let armed = timerDeadline, armed <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            timerDeadline = nil
            check()
        }
    }

    private func check() {
        guard !expired, let context else { return }
        if let violation = state?.violation(at: context.eventLoop.now) {
            expired = true
            context.fireUserInboundEventTriggered(Expired(violation: violation))
        } else {
            scheduleCheck()
        }
    }

    private func stopTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }
}
