import RefundMeshRPC
import RefundMeshTestSupport
import RefundMeshWire
import Synchronization
import Testing

/// One test per wire limit: what the peer sees, and that the server goes on serving.
@Suite("Wire limits: what a peer over each limit sees")
struct WireLimitsTests {
    private static let unary = "/refundmesh.testing.v1.TestService/Unary"
    private static let serverStream = "/refundmesh.testing.v1.TestService/ServerStream"

    private func call(id: UInt64, method: String = unary, ping: Ping = Ping(id: 1), window: UInt32 = 0) throws -> Frame
    {
        var frame = Frame()
        frame.kind = .call
        frame.callID = id
        frame.method = method
        frame.hasMessage = true
        frame.message = try ping.serializedBytes()
        frame.endStream = true
        frame.window = window
        return frame
    }

    private func ping(_ data: UInt64) -> Frame {
        var frame = Frame()
        frame.kind = .ping
        frame.pingData = data
        return frame
    }

    @Test(
        "metadata over the entry or byte limits is RESOURCE_EXHAUSTED, a bad key INVALID_ARGUMENT; handlers do not run and the connection stays up"
    )
    func metadataLimits() async throws {
        var configuration = RPCServer.Configuration()
        configuration.limits.maxMetadataEntries = 8
        configuration.limits.maxMetadataBytes = 1024
        let probe = TestServiceProbe()
        try await withTestServer(
            services: [TestServiceImplementation(probe: probe)],
            configuration: configuration
        ) { server, port in
            let client = makeTestClient(ports: [port])
            let stub = TestService.Client(client)
            _ = try await stub.unary(Ping(id: 1))

            var many = Metadata()
            for index in 0..<9 { many.addString("v", forKey: "k\(index)") }
            let tooMany = await #expect(throws: RPCError.self) {
                _ = try await stub.unary(Ping(id: 2), options: CallOptions(metadata: many))
            }
            #expect(tooMany?.code == .resourceExhausted)
            #expect(tooMany?.message.contains("at most 8") == true, "\(String(describing: tooMany))")

            var big = Metadata()
            big.addString(String(repeating: "x", count: 2000), forKey: "x-big")
            let tooBig = await #expect(throws: RPCError.self) {
                _ = try await stub.unary(Ping(id: 3), options: CallOptions(metadata: big))
            }
            #expect(tooBig?.code == .resourceExhausted)
            #expect(tooBig?.message.contains("at most 1024") == true, "\(String(describing: tooBig))")

            var badKey = Metadata()
            badKey.addString("v", forKey: "bad key")
            let refusedKey = await #expect(throws: RPCError.self) {
                _ = try await stub.unary(Ping(id: 4), options: CallOptions(metadata: badKey))
            }
            #expect(refusedKey?.code == .invalidArgument)
            #expect(refusedKey?.message.contains("\"bad key\"") == true, "\(String(describing: refusedKey))")

            // The refused calls never reached the handler, and the same connection still serves.
            #expect(probe.unaryCalls == 1)
            #expect(try await stub.unary(Ping(id: 5)).id == 5)
            #expect(probe.unaryCalls == 2)
            #expect(server.connectionCount == 1)
            await client.close()
        }
    }

    @Test("a request id that could forge log lines is replaced, not passed on to logs and outgoing calls")
    func unusableRequestID() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, downstreamPort in
            let downstreamClient = makeTestClient(ports: [downstreamPort])
            let middle = TestServiceImplementation(downstream: TestService.Client(downstreamClient))
            try await withTestServer(services: [middle]) { _, port in
                let client = makeTestClient(ports: [port])
                let stub = TestService.Client(client)
                // What the downstream server saw is the id the middle one used for the call.
                let forged = try await stub.unary(
                    Ping(id: 1, text: "call-downstream"),
                    options: CallOptions(metadata: ["x-request-id": "r1\nlevel=error forged=yes"])
                )
                let seen = forged.seenMetadata.first { $0.hasPrefix("x-request-id=") }?.dropFirst("x-request-id=".count)
                #expect(seen?.count == 16 && seen?.allSatisfy(\.isHexDigit) == true, "\(forged.seenMetadata)")
                let plain = try await stub.unary(
                    Ping(id: 2, text: "call-downstream"),
                    options: CallOptions(metadata: ["x-request-id": "req-42"])
                )
                #expect(plain.seenMetadata.contains("x-request-id=req-42"))
                await client.close()
            }
            await downstreamClient.close()
        }
    }

    @Test("a method path over 512 bytes is INVALID_ARGUMENT and the connection stays up")
    func longMethodPath() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, port in
            let frames = try await onBlockingThread {
                let socket = try RawSocket(port: port, timeoutSeconds: 2)
                let long = "/" + String(repeating: "a", count: 600) + "/M"
                try socket.send(
                    RPCPreface.bytes + WireBytes.lengthPrefixed(try call(id: 1, method: long))
                        + WireBytes.lengthPrefixed(try call(id: 2, ping: Ping(id: 9)))
                )
                return try WireBytes.serverFrames(in: socket.readUntilClosed()).frames
            }
            let statuses = frames.filter { $0.kind == .status }
            #expect(statuses.count == 2)
            let refused = try #require(statuses.first { $0.callID == 1 })
            #expect(refused.status?.code == StatusCode.invalidArgument.rawValue)
            #expect(refused.status?.message.contains("at most 512") == true)
            #expect(statuses.first { $0.callID == 2 }?.status?.code == 0)
            #expect(!frames.contains { $0.kind == .goaway })
        }
    }

    @Test(
        "connections from one IP over the per-peer limit get GOAWAY RESOURCE_EXHAUSTED naming the limit; other peers are served"
    )
    func connectionsPerPeer() async throws {
        var configuration = RPCServer.Configuration()
        configuration.limits.maxConnectionsPerPeer = 2
        try await withTestServer(services: [TestServiceImplementation()], configuration: configuration) {
            server,
            port in
            let (refused, admittedClosed) = try await onBlockingThread { () -> ([Frame], Bool) in
                let admitted = try (0..<2).map { _ in
                    try RawSocket(port: port, timeoutSeconds: 1, sourceAddress: "127.0.0.2")
                }
                for socket in admitted { try socket.send(RPCPreface.bytes) }
                // Both answered (preface and SETTINGS): admitted and counted before the third comes.
                for socket in admitted { _ = socket.readUntilClosed(limit: RPCPreface.count + 1) }
                let third = try RawSocket(port: port, timeoutSeconds: 5, sourceAddress: "127.0.0.2")
                let frames = try WireBytes.serverFrames(in: third.readUntilClosed()).frames
                // The admitted ones are still open (the read times out after 1 s, no end of stream).
                _ = admitted[0].readUntilClosed()
                return (frames, third.sawEndOfStream && !admitted[0].sawEndOfStream)
            }
            let goaway = try #require(refused.last)
            #expect(goaway.kind == .goaway)
            #expect(goaway.status?.code == StatusCode.resourceExhausted.rawValue)
            #expect(
                goaway.status?.message.contains("limit of 2 connections per peer") == true,
                "\(String(describing: goaway.status))"
            )
            #expect(admittedClosed)
            // 127.0.0.1 is another peer: it is served.
            let client = makeTestClient(ports: [port])
            #expect(try await TestService.Client(client).unary(Ping(id: 7)).id == 7)
            await client.close()
            try await eventually { server.connectionCount == 0 }
        }
    }

    @Test("a connection that sends nothing, or only the preface, is cut off by the handshake timeout")
    func handshakeTimeout() async throws {
        var configuration = RPCServer.Configuration()
        configuration.limits.handshakeTimeout = .seconds(1)
        try await withTestServer(services: [TestServiceImplementation()], configuration: configuration) {
            server,
            port in
            let results = try await onBlockingThread {
                let silent = try RawSocket(port: port, timeoutSeconds: 30)
                let prefaceOnly = try RawSocket(port: port, timeoutSeconds: 30)
                try prefaceOnly.send(RPCPreface.bytes)
                return try [("silent", silent), ("preface only", prefaceOnly)].map { name, socket in
                    let bytes = socket.readUntilClosed()
                    let frames = try WireBytes.serverFrames(in: bytes).frames
                    // What the socket saw, should the GOAWAY be missing (it was once, in a
                    // 24-wide run: the stream ended without it; not reproduced since).
                    let seen =
                        "\(name): \(bytes.count) bytes, \(frames.count) frames, read ended: \(socket.lastReadEnd)"
                    return (frames.last, socket.sawEndOfStream, seen)
                }
            }
            for (goaway, closed, seen) in results {
                #expect(goaway?.kind == .goaway, "\(seen)")
                #expect(goaway?.status?.code == StatusCode.deadlineExceeded.rawValue, "\(seen)")
                #expect(goaway?.status?.message.contains("handshake timeout") == true, "\(seen)")
                #expect(closed, "\(seen)")
            }
            try await eventually { server.connectionCount == 0 }
        }
    }

    @Test("a frame that trickles in for longer than the frame timeout ends the connection with GOAWAY")
    func frameTimeout() async throws {
        var configuration = RPCServer.Configuration()
        configuration.limits.frameTimeout = .seconds(1)
        try await withTestServer(services: [TestServiceImplementation()], configuration: configuration) { _, port in
            let (frames, closed) = try await onBlockingThread { () -> ([Frame], Bool) in
                let socket = try RawSocket(port: port, timeoutSeconds: 30)
                // A whole PING completes the handshake; then 3 bytes of a frame and nothing more.
                let next = try WireBytes.lengthPrefixed(try call(id: 1))
                try socket.send(RPCPreface.bytes + WireBytes.lengthPrefixed(ping(5)) + next.prefix(3))
                let frames = try WireBytes.serverFrames(in: socket.readUntilClosed()).frames
                return (frames, socket.sawEndOfStream)
            }
            #expect(frames.contains { $0.kind == .pong && $0.pingData == 5 })
            let goaway = try #require(frames.last)
            #expect(goaway.kind == .goaway)
            #expect(goaway.status?.code == StatusCode.deadlineExceeded.rawValue)
            #expect(goaway.status?.message.contains("slow sender") == true, "\(String(describing: goaway.status))")
            #expect(closed)
        }
    }

    @Test("a peer that stops reading while the server has more than the buffer limit queued is closed")
    func outboundStall() async throws {
        var configuration = RPCServer.Configuration()
        configuration.limits.maxBufferedOutboundBytes = 64 * 1024
        configuration.limits.outboundStallTimeout = .seconds(1)
        let probe = TestServiceProbe()
        try await withTestServer(
            services: [TestServiceImplementation(probe: probe)],
            configuration: configuration
        ) { server, port in
            let socket = try await onBlockingThread {
                // Asks for 64 MiB of stream with a window that never runs out, then reads nothing.
                let socket = try RawSocket(port: port, timeoutSeconds: 5, receiveBufferBytes: 4096)
                let request = Ping(id: 1, count: 1024, payload: [UInt8](repeating: 1, count: 64 * 1024))
                try socket.send(
                    RPCPreface.bytes
                        + WireBytes.lengthPrefixed(
                            try call(id: 1, method: Self.serverStream, ping: request, window: 1 << 20)
                        )
                )
                return UncheckedSocket(socket)
            }
            // Served in the meantime: another client's calls.
            let client = makeTestClient(ports: [port])
            #expect(try await TestService.Client(client).unary(Ping(id: 2)).id == 2)
            // The stalled connection is closed, and the handler stopped well short of all 1024
            // messages: it waited while the buffer was full instead of queueing them all.
            try await eventually { server.connectionCount == 1 }
            #expect(probe.streamedSent < 1024)
            let closed = try await onBlockingThread {
                _ = socket.value.readUntilClosed(limit: 1 << 30)
                return socket.value.sawEndOfStream
            }
            #expect(closed)
            #expect(try await TestService.Client(client).unary(Ping(id: 3)).id == 3)
            await client.close()
        }
    }

    @Test(
        "after its call limit a connection gets GOAWAY UNAVAILABLE 'reconnect'; a client moves on and every call succeeds"
    )
    func callsPerConnection() async throws {
        var configuration = RPCServer.Configuration()
        configuration.limits.maxCallsPerConnection = 2
        let peers = PeerRecorder()
        try await withTestServer(
            services: [TestServiceImplementation()],
            configuration: configuration,
            interceptors: [peers]
        ) { _, port in
            let frames = try await onBlockingThread {
                let socket = try RawSocket(port: port, timeoutSeconds: 5)
                try socket.send(
                    RPCPreface.bytes + WireBytes.lengthPrefixed(try call(id: 1))
                        + WireBytes.lengthPrefixed(try call(id: 2))
                )
                return try WireBytes.serverFrames(in: socket.readUntilClosed()).frames
            }
            #expect(frames.filter { $0.kind == .status && $0.status?.code == 0 }.count == 2)
            let goaway = try #require(frames.first { $0.kind == .goaway })
            #expect(goaway.status?.code == StatusCode.unavailable.rawValue)
            #expect(goaway.status?.message.contains("reconnect") == true)
            #expect(goaway.lastCallID == 2)

            let client = makeTestClient(ports: [port])
            let stub = TestService.Client(client)
            for id in 0..<7 { #expect(try await stub.unary(Ping(id: Int64(id))).id == Int64(id)) }
            // Seven calls at two per connection: at least four connections from the client.
            // (Plus the raw socket's one.)
            #expect(peers.distinct >= 5, "\(peers.distinct) connections")
            await client.close()
        }
    }
}

/// Moves a socket between the blocking threads of one test; only one uses it at a time.
private struct UncheckedSocket: @unchecked Sendable {
    let value: RawSocket
    init(_ value: RawSocket) { self.value = value }
}

/// Counts the distinct connections (peer addresses) calls arrived on.
private final class PeerRecorder: ServerInterceptor, Sendable {
    private let peers = Mutex<Set<String>>([])
    var distinct: Int { peers.withLock { $0.count } }

    func intercept<Output: Sendable>(
        context: ServerContext,
        next: (ServerContext) async throws -> Output
    ) async throws -> Output {
        _ = peers.withLock { $0.insert(context.peer) }
        return try await next(context)
    }
}
