import RefundMeshRPC
import RefundMeshTestSupport
import RefundMeshWire
import Testing

/// Raw bytes against a real server: what a stray or broken client gets back.
@Suite("The wire, byte by byte")
struct WireProtocolTests {
    /// Splits what the server sent into its preface and frames.
    private func frames(in bytes: [UInt8]) throws -> (preface: [UInt8], frames: [Frame]) {
        try WireBytes.serverFrames(in: bytes)
    }

    /// What a client writes: the preface, then each frame behind its 4-byte big-endian length.
    private func clientBytes(_ frames: [Frame]) throws -> [UInt8] {
        var bytes = RPCPreface.bytes
        for frame in frames {
            let body = try frame.serializedBytes()
            let length = UInt32(body.count)
            bytes +=
                [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
                + body
        }
        return bytes
    }

    /// A unary CALL of the test service's Unary method, whole in one frame.
    private func unaryCall(id: UInt64, ping: Ping) throws -> Frame {
        var call = Frame()
        call.kind = .call
        call.callID = id
        call.method = "/refundmesh.testing.v1.TestService/Unary"
        call.hasMessage = true
        call.message = try ping.serializedBytes()
        call.endStream = true
        return call
    }

    @Test("a client that does not send the preface gets a GOAWAY that says so, then the connection closes")
    func wrongPreface() async throws {
        try await withTestServer(services: []) { _, port in
            let socket = try RawSocket(port: port)
            try socket.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let (preface, frames) = try frames(in: socket.readUntilClosed())
            #expect(preface == RPCPreface.bytes)
            let goaway = try #require(frames.last)
            #expect(goaway.kind == .goaway)
            #expect(goaway.status?.code == StatusCode.invalidArgument.rawValue)
            #expect(goaway.status?.message.contains("preface") == true)
        }
    }

    @Test("a peer of another protocol version is told which version the server speaks")
    func wrongVersion() async throws {
        try await withTestServer(services: []) { _, port in
            let socket = try RawSocket(port: port)
            try socket.send(RPCPreface.magic + [9])
            let (_, frames) = try frames(in: socket.readUntilClosed())
            let goaway = try #require(frames.last)
            #expect(goaway.kind == .goaway)
            #expect(goaway.status?.code == StatusCode.failedPrecondition.rawValue)
            #expect(goaway.status?.message.contains("version 9") == true)
        }
    }

    @Test("a declared frame length over the limit is refused before the body arrives")
    func oversizedFrame() async throws {
        var configuration = RPCServer.Configuration()
        configuration.limits.maxFrameBytes = 64 * 1024
        try await withTestServer(services: [], configuration: configuration) { _, port in
            let socket = try RawSocket(port: port)
            // Declares 16 MiB and sends none of it: the server must answer without waiting.
            try socket.send(RPCPreface.bytes + [0x01, 0x00, 0x00, 0x00])
            let (_, frames) = try frames(in: socket.readUntilClosed())
            let goaway = try #require(frames.last)
            #expect(goaway.kind == .goaway)
            #expect(goaway.status?.code == StatusCode.resourceExhausted.rawValue)
            #expect(goaway.status?.message.contains("16777216") == true)
        }
    }

    @Test("a unary call written by hand is answered in one STATUS frame; PING is answered with PONG")
    func handWrittenCall() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, port in
            let socket = try RawSocket(port: port, timeoutSeconds: 1)
            var ping = Frame()
            ping.kind = .ping
            ping.pingData = 0xFEED
            try socket.send(clientBytes([unaryCall(id: 1, ping: Ping(id: 77, text: "raw")), ping]))
            // The server keeps the connection open; the read ends at the 1 s timeout.
            let (_, frames) = try frames(in: socket.readUntilClosed())
            #expect(frames.first?.kind == .settings)
            let status = try #require(frames.first { $0.kind == .status })
            #expect(status.callID == 1)
            #expect(status.status?.code == 0)
            #expect(try Pong(serializedBytes: status.message).id == 77)
            #expect(frames.contains { $0.kind == .pong && $0.pingData == 0xFEED })
        }
    }

    @Test(
        "a burst of calls in one write is answered in full when the server flushes partway through it",
        arguments: [1, 3, 16]
    )
    func burstAcrossPartialFlushes(framesPerFlush: Int) async throws {
        var configuration = RPCServer.Configuration()
        configuration.framesPerFlush = framesPerFlush
        try await withTestServer(services: [TestServiceImplementation()], configuration: configuration) { _, port in
            let socket = try RawSocket(port: port, timeoutSeconds: 1)
            let ids = 1...40
            try socket.send(
                clientBytes(ids.map { id in try unaryCall(id: UInt64(id), ping: Ping(id: Int64(id), text: "burst")) })
            )
            // The server keeps the connection open; the read ends at the 1 s timeout.
            let (_, frames) = try frames(in: socket.readUntilClosed())
            let statuses = frames.filter { $0.kind == .status }
            #expect(statuses.count == ids.count)
            for status in statuses {
                #expect(status.status?.code == 0)
                #expect(try Pong(serializedBytes: status.message).id == Int64(status.callID))
            }
            #expect(Set(statuses.map(\.callID)) == Set(ids.map(UInt64.init)))
        }
    }
}
