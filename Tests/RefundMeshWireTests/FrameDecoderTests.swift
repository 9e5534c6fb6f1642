import NIOCore
import NIOTestUtils
import RefundMeshWire
import Testing

@Suite("Frame decoder")
struct FrameDecoderTests {
    private func sampleFrames() -> [Frame] {
        var call = Frame()
        call.kind = .call
        call.callID = 1
        call.method = "/refundmesh.testing.v1.TestService/Unary"
        call.timeoutMicros = 250_000
        call.metadata = [
            MetadataEntry(key: "x-request-id", value: "abc"), MetadataEntry(key: "sig-bin", binaryValue: [0, 1, 2]),
        ]
        call.hasMessage = true
        call.message = Array(repeating: 0xA5, count: 300)
        call.endStream = true
        var status = Frame()
        status.kind = .status
        status.callID = 1
        status.status = Status(
            code: 5,
            message: "refund 42 not found",
            details: [StatusDetail(typeURL: "t", value: [9])]
        )
        var empty = Frame()
        empty.kind = .ping
        return [call, status, empty, Frame()]
    }

    private func encoded(_ frames: [Frame], preface: Bool) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        if preface { buffer.writeBytes(RPCPreface.bytes) }
        for frame in frames { try frame.encodeLengthPrefixed(into: &buffer, maxFrameBytes: 1 << 20) }
        return buffer
    }

    @Test("frames survive any chunking of the byte stream")
    func arbitraryChunking() throws {
        let frames = sampleFrames()
        // The verifier feeds the bytes whole, byte by byte and many copies at once, repeating
        // the input on one decoder; so it checks bare frames (the preface comes once per stream).
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(try encoded(frames, preface: false), frames)],
            decoderFactory: { FrameDecoder(expectPreface: false) }
        )
    }

    @Test("the preface and the frames after it decode the same in any split", arguments: [1, 2, 3, 7, 8, 9, 13, 64])
    func prefaceThenFramesInChunks(chunkSize: Int) throws {
        let frames = sampleFrames()
        let input = try encoded(frames, preface: true)
        var decoder = FrameDecoder()
        var pending = ByteBuffer()
        var decoded: [Frame] = []
        var offset = 0
        let bytes = Array(input.readableBytesView)
        while offset < bytes.count {
            let end = min(offset + chunkSize, bytes.count)
            pending.writeBytes(bytes[offset..<end])
            offset = end
            while let frame = try decoder.decode(buffer: &pending) { decoded.append(frame) }
        }
        #expect(decoded == frames)
        #expect(pending.readableBytes == 0)
    }

    @Test("a declared length over the limit is refused from the length alone")
    func oversizedLength() throws {
        var decoder = FrameDecoder(maxFrameBytes: 1024, expectPreface: false)
        var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x04, 0x01])  // 1025, and no body at all
        let error = #expect(throws: WireError.self) { _ = try decoder.decode(buffer: &buffer) }
        #expect(error?.code == .frameTooLarge)
        #expect(error?.message.contains("1025") == true)
    }

    @Test("a frame exactly at the limit is accepted")
    func atLimit() throws {
        var frame = Frame()
        frame.kind = .message
        frame.hasMessage = true
        frame.message = [UInt8](repeating: 1, count: 1000)
        let size = try frame.serializedBytes().count
        var decoder = FrameDecoder(maxFrameBytes: size, expectPreface: false)
        var buffer = try encoded([frame], preface: false)
        #expect(try decoder.decode(buffer: &buffer) == frame)
        var tooSmall = ByteBuffer()
        #expect(throws: WireError.self) { try frame.encodeLengthPrefixed(into: &tooSmall, maxFrameBytes: size - 1) }
        #expect(tooSmall.readableBytes == 0)
    }

    @Test("a wrong preface fails at the first differing byte, naming the protocol")
    func wrongPreface() throws {
        var decoder = FrameDecoder()
        var buffer = ByteBuffer(bytes: Array("GE".utf8))
        let error = #expect(throws: WireError.self) { _ = try decoder.decode(buffer: &buffer) }
        #expect(error?.code == .badPreface)
        #expect(error?.message.contains("RefundMesh RPC") == true)
    }

    @Test("a partial correct preface waits for more bytes")
    func partialPreface() throws {
        var decoder = FrameDecoder()
        var buffer = ByteBuffer(bytes: Array(RPCPreface.bytes.prefix(5)))
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readableBytes == 5)
    }

    @Test("another protocol version is refused with both versions named")
    func wrongVersion() throws {
        var decoder = FrameDecoder()
        var buffer = ByteBuffer(bytes: RPCPreface.magic + [2])
        let error = #expect(throws: WireError.self) { _ = try decoder.decode(buffer: &buffer) }
        #expect(error?.code == .unsupportedVersion)
        #expect(error?.message.contains("version 2") == true)
    }

    @Test("a frame body that is not a Frame is a malformed-message error, not a crash")
    func garbageBody() throws {
        var decoder = FrameDecoder(expectPreface: false)
        var buffer = ByteBuffer(bytes: [0, 0, 0, 3, 0xFF, 0xFF, 0xFF])
        let error = #expect(throws: WireError.self) { _ = try decoder.decode(buffer: &buffer) }
        #expect(error?.code == .malformedMessage)
    }
}
