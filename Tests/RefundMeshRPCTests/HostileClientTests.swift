import RefundMeshRPC
import RefundMeshTestSupport
import RefundMeshWire
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Many hostile connections at once, while a normal client keeps calling: the server cuts the
/// hostile ones off and keeps serving.
@Suite("Hostile clients: slowloris and connection floods")
struct HostileClientTests {
    @Test("slow senders (silent, preface only, a frame trickled byte by byte) are cut off; a normal client is served")
    func slowloris() async throws {
        var configuration = RPCServer.Configuration()
        // The handshake allowance is longer than the frame allowance so that the tricklers, which
        // send the preface and a PING as soon as they connect, always complete their handshake
        // even when a loaded machine (the suite runs 24-wide on 2 cores) holds their thread for a
        // few seconds between connect and send; they are then cut off as slow senders, 2 s after
        // the first byte of their trickled frame. The silent and preface-only peers still run
        // out the handshake allowance.
        configuration.limits.handshakeTimeout = .seconds(8)
        configuration.limits.frameTimeout = .seconds(2)
        try await withTestServer(services: [TestServiceImplementation()], configuration: configuration) {
            server,
            port in
            let client = makeTestClient(ports: [port])
            let stub = TestService.Client(client)
            _ = try await stub.unary(Ping(id: 0))

            let done = Flag()
            async let outcomes = onBlockingThread { () -> [SlowPeerOutcome] in
                defer { done.set() }
                return try Self.runSlowPeers(port: port)
            }
            var answered = 0
            while !done.isSet {
                let id = Int64(answered + 1)
                #expect(try await stub.unary(Ping(id: id)).id == id)
                answered += 1
                try await Task.sleep(for: .milliseconds(50))
            }
            let results = try await outcomes
            #expect(answered > 0)
            #expect(results.count == 6)
            for outcome in results {
                #expect(outcome.closed, "\(outcome.kind) was not closed")
                #expect(outcome.goaway?.status?.code == StatusCode.deadlineExceeded.rawValue, "\(outcome.kind)")
                let expected = outcome.kind == "trickler" ? "slow sender" : "handshake timeout"
                #expect(
                    outcome.goaway?.status?.message.contains(expected) == true,
                    "\(outcome.kind): \(String(describing: outcome.goaway?.status))"
                )
                if outcome.kind == "trickler" { #expect(outcome.bytesSent < outcome.bytesToSend) }
            }
            #expect(try await stub.unary(Ping(id: 99)).id == 99)
            try await eventually { server.connectionCount == 1 }
            await client.close()
        }
    }

    /// Two silent connections, two that send only the preface, two that send the preface and a
    /// PING and then a CALL one byte every 250 ms; reads all six until the server closes them
    /// (bounded: 60 s).
    private static func runSlowPeers(port: Int) throws -> [SlowPeerOutcome] {
        var call = Frame()
        call.kind = .call
        call.callID = 1
        call.method = "/refundmesh.testing.v1.TestService/Unary"
        call.hasMessage = true
        call.message = try Ping(id: 1, text: String(repeating: "s", count: 200)).serializedBytes()
        call.endStream = true
        var ping = Frame()
        ping.kind = .ping
        let trickled = try WireBytes.lengthPrefixed(call)

        var peers: [(kind: String, socket: RawSocket, received: [UInt8], sent: Int)] = []
        for kind in ["silent", "silent", "preface only", "preface only", "trickler", "trickler"] {
            let socket = try RawSocket(port: port, timeoutSeconds: 5)
            if kind == "preface only" { try socket.send(RPCPreface.bytes) }
            if kind == "trickler" { try socket.send(RPCPreface.bytes + WireBytes.lengthPrefixed(ping)) }
            peers.append((kind, socket, [], 0))
        }
        let end = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < end, peers.contains(where: { !$0.socket.sawEndOfStream }) {
            for index in peers.indices where !peers[index].socket.sawEndOfStream {
                if peers[index].kind == "trickler", peers[index].sent < trickled.count {
                    do {
                        try peers[index].socket.send([trickled[peers[index].sent]])
                        peers[index].sent += 1
                    } catch {
                        // Reset by the server: the read below sees the end.
                    }
                }
                peers[index].received += peers[index].socket.readAvailable()
            }
            usleep(250_000)
        }
        return try peers.map { peer in
            SlowPeerOutcome(
                kind: peer.kind,
                goaway: try WireBytes.serverFrames(in: peer.received).frames.last { $0.kind == .goaway },
                closed: peer.socket.sawEndOfStream,
                bytesSent: peer.sent,
                bytesToSend: trickled.count
            )
        }
    }

    @Test(
        "a flood of 300 connections from one IP: the excess get GOAWAY naming the per-peer limit, other peers are served, the count returns"
    )
    func connectionFlood() async throws {
        var configuration = RPCServer.Configuration()
        configuration.limits.maxConnectionsPerPeer = 50
        // The admitted 50 send only the preface; keep them until the test closes them, however
        // slowly a loaded machine opens 300 sockets.
        configuration.limits.handshakeTimeout = .seconds(120)
        try await withTestServer(services: [TestServiceImplementation()], configuration: configuration) {
            server,
            port in
            let client = makeTestClient(ports: [port])
            let stub = TestService.Client(client)
            _ = try await stub.unary(Ping(id: 0))

            let done = Flag()
            async let flood = onBlockingThread { () -> FloodOutcome in
                defer { done.set() }
                return try Self.flood(port: port, connections: 300, from: "127.0.0.2")
            }
            var answered = 0
            while !done.isSet {
                let id = Int64(answered + 1)
                #expect(try await stub.unary(Ping(id: id)).id == id)
                answered += 1
                try await Task.sleep(for: .milliseconds(20))
            }
            let outcome = try await flood
            #expect(answered > 0)
            #expect(outcome.admitted.count == 50)
            #expect(outcome.refused.count == 250)
            #expect(outcome.unanswered == 0)
            for goaway in outcome.refused {
                #expect(goaway.status?.code == StatusCode.resourceExhausted.rawValue)
                #expect(goaway.status?.message.contains("limit of 50 connections per peer") == true)
            }
            #expect(outcome.refusedClosed == 250)
            // A new client from another address gets in while the 50 are still open.
            let second = makeTestClient(ports: [port])
            #expect(try await TestService.Client(second).unary(Ping(id: 1000)).id == 1000)
            #expect(server.connectionCount == 52)
            await second.close()

            // The flood ends: the server is back to the one normal connection and takes the
            // flooding address again.
            for socket in outcome.admitted { socket.value.shutdown() }
            try await eventually { server.connectionCount == 1 }
            let pong = try await onBlockingThread { () -> Frame? in
                let socket = try RawSocket(port: port, timeoutSeconds: 2, sourceAddress: "127.0.0.2")
                var ping = Frame()
                ping.kind = .ping
                ping.pingData = 77
                try socket.send(RPCPreface.bytes + WireBytes.lengthPrefixed(ping))
                return try WireBytes.serverFrames(in: socket.readUntilClosed()).frames.first { $0.kind == .pong }
            }
            #expect(pong?.pingData == 77)
            #expect(try await stub.unary(Ping(id: 2000)).id == 2000)
            await client.close()
        }
    }

    /// Opens `connections` sockets from `source`, each sending the preface, and sorts them by the
    /// server's first frame: SETTINGS (admitted, kept open) or GOAWAY (refused; read to the end).
    private static func flood(port: Int, connections: Int, from source: String) throws -> FloodOutcome {
        var sockets: [(socket: RawSocket, received: [UInt8])] = []
        for _ in 0..<connections {
            let socket = try RawSocket(port: port, timeoutSeconds: 5, sourceAddress: source)
            try socket.send(RPCPreface.bytes)
            sockets.append((socket, []))
        }
        var outcome = FloodOutcome()
        let end = ContinuousClock.now + .seconds(60)
        var pending = Array(sockets.indices)
        while !pending.isEmpty, ContinuousClock.now < end {
            usleep(50_000)
            pending = try pending.filter { index in
                sockets[index].received += sockets[index].socket.readAvailable()
                guard let first = try WireBytes.serverFrames(in: sockets[index].received).frames.first else {
                    return true
                }
                switch first.kind {
                case .settings:
                    outcome.admitted.append(UncheckedSocket(sockets[index].socket))
                    return false
                case .goaway:
                    guard sockets[index].socket.sawEndOfStream else { return true }
                    outcome.refused.append(first)
                    outcome.refusedClosed += 1
                    return false
                default:
                    return false
                }
            }
        }
        outcome.unanswered = pending.count
        return outcome
    }
}

private struct SlowPeerOutcome: Sendable {
    let kind: String
    let goaway: Frame?
    let closed: Bool
    let bytesSent: Int
    let bytesToSend: Int
}

private struct FloodOutcome: Sendable {
    /// Kept open until the test shuts them down.
    var admitted: [UncheckedSocket] = []
    var refused: [Frame] = []
    var refusedClosed = 0
    var unanswered = 0
}

/// Hands sockets from the blocking thread back to the test, which only shuts them down.
private struct UncheckedSocket: @unchecked Sendable {
    let value: RawSocket
    init(_ value: RawSocket) { self.value = value }
}

private final class Flag: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
