import NIOCore
import NIOEmbedded
import RefundMeshWire
import Testing

@testable import RefundMeshRPC

@Suite("Inbound deadlines: handshake and frame timeouts")
struct InboundDeadlineHandlerTests {
    typealias StateMachine = InboundDeadlineHandler.StateMachine

    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    private func machine(handshake: Duration = .seconds(10), frame: Duration = .seconds(30)) -> StateMachine {
        StateMachine(connectedAt: start, handshakeTimeout: handshake, frameTimeout: frame)
    }

    private func feed(_ machine: inout StateMachine, _ bytes: [UInt8], at offset: Duration = .zero) {
        let buffer = ByteBuffer(bytes: bytes)
        machine.received(buffer.readableBytesView, at: start + .init(offset))
    }

    /// The preface and one frame with a `count`-byte body.
    private func prefaceAndFrame(bodyBytes count: Int) -> [UInt8] {
        RPCPreface.bytes + [0, 0, UInt8(count >> 8), UInt8(count & 0xFF)] + [UInt8](repeating: 7, count: count)
    }

    @Test("a connection that sends nothing, or only the preface, overruns the handshake timeout")
    func handshakeTimeout() {
        var state = machine()
        #expect(state.nextDeadline == start + .seconds(10))
        #expect(state.violation(at: start + .seconds(9)) == nil)
        #expect(
            state.violation(at: start + .seconds(10))
                == .handshakeTimeout(timeout: .seconds(10), bytesReceived: 0)
        )
        feed(&state, RPCPreface.bytes)
        #expect(!state.isHandshakeComplete)
        let violation = state.violation(at: start + .seconds(11))
        #expect(violation == .handshakeTimeout(timeout: .seconds(10), bytesReceived: 8))
        #expect(violation?.message.contains("handshake timeout") == true)
        #expect(violation?.limit == "handshakeTimeout")
    }

    @Test("the preface and a first frame complete the handshake, even when they arrive a byte at a time")
    func handshakeCompletesBytewise() {
        var state = machine()
        for (index, byte) in prefaceAndFrame(bodyBytes: 300).enumerated() {
            #expect(!state.isHandshakeComplete)
            feed(&state, [byte], at: .milliseconds(index))
        }
        #expect(state.isHandshakeComplete)
        #expect(state.nextDeadline == nil)
        #expect(state.violation(at: start + .seconds(3600)) == nil)
    }

    @Test("a frame whose first byte arrived must be complete within the frame timeout")
    func frameTimeout() {
        var state = machine()
        feed(&state, prefaceAndFrame(bodyBytes: 2))
        // Two bytes of the next frame's length at 100 s: the frame clock starts there.
        feed(&state, [0, 0], at: .seconds(100))
        #expect(state.nextDeadline == start + .seconds(130))
        #expect(state.violation(at: start + .seconds(129)) == nil)
        #expect(
            state.violation(at: start + .seconds(130))
                == .frameTimeout(timeout: .seconds(30), bytesOfFrame: 2, frameLength: nil)
        )
        // The rest of the length and some of the body: still the same frame, same deadline.
        feed(&state, [0x01, 0x00, 1, 2, 3], at: .seconds(120))
        #expect(state.nextDeadline == start + .seconds(130))
        let violation = state.violation(at: start + .seconds(131))
        #expect(violation == .frameTimeout(timeout: .seconds(30), bytesOfFrame: 7, frameLength: 256))
        #expect(violation?.message.contains("7 of 260 bytes") == true)
        #expect(violation?.limit == "frameTimeout")
        // The last bytes arrive in time: nothing pending.
        feed(&state, [UInt8](repeating: 0, count: 253), at: .seconds(125))
        #expect(state.nextDeadline == nil)
    }

    @Test("several frames in one read, an empty frame, and a partial one at the end")
    func framesInOneRead() {
        var state = machine()
        let bytes = prefaceAndFrame(bodyBytes: 5) + [0, 0, 0, 0] + [0, 0, 0, 9, 1, 2]
        feed(&state, bytes, at: .seconds(1))
        #expect(state.isHandshakeComplete)
        #expect(state.nextDeadline == start + .seconds(31))
        feed(&state, [3, 4, 5, 6, 7, 8, 9], at: .seconds(2))
        #expect(state.nextDeadline == nil)
    }

    @Test("zero timeouts set no deadlines")
    func disabled() {
        var state = machine(handshake: .zero, frame: .zero)
        feed(&state, RPCPreface.bytes + [0, 0])
        #expect(state.nextDeadline == nil)
        #expect(state.violation(at: start + .seconds(1_000_000)) == nil)
    }

    @Test("in a pipeline, the handler fires Expired on its loop's clock and passes bytes through unchanged")
    func handlerFiresEvent() throws {
        let recorder = EventRecorder()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            InboundDeadlineHandler(handshakeTimeout: .seconds(5), frameTimeout: .seconds(2))
        )
        try channel.pipeline.syncOperations.addHandler(recorder)
        try channel.writeInbound(ByteBuffer(bytes: RPCPreface.bytes + [0, 0, 0, 1, 42]))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: RPCPreface.bytes + [0, 0, 0, 1, 42]))
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(recorder.expired.isEmpty)  // the handshake completed in time
        try channel.writeInbound(ByteBuffer(bytes: [0, 0]))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1999))
        #expect(recorder.expired.isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(recorder.expired == [.frameTimeout(timeout: .seconds(2), bytesOfFrame: 2, frameLength: nil)])
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("in a pipeline, a silent connection gets the handshake event once")
    func handlerHandshakeEvent() throws {
        let recorder = EventRecorder()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            InboundDeadlineHandler(handshakeTimeout: .seconds(5), frameTimeout: .seconds(2))
        )
        try channel.pipeline.syncOperations.addHandler(recorder)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(recorder.expired == [.handshakeTimeout(timeout: .seconds(5), bytesReceived: 0)])
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}

private final class EventRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    var expired: [InboundDeadlineHandler.StateMachine.Violation] = []

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? InboundDeadlineHandler.Expired { expired.append(event.violation) }
    }
}
