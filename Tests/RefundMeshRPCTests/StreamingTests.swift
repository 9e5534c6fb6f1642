import RefundMeshRPC
import RefundMeshTestSupport
import Testing

@Suite("Streaming calls")
struct StreamingTests {
    @Test("server streaming delivers every message in order")
    func serverStreaming() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, port in
            let client = makeTestClient(ports: [port])
            let ids = try await TestService.Client(client).serverStream(Ping(text: "s", count: 300)) { stream in
                var ids: [Int64] = []
                for try await pong in stream { ids.append(pong.id) }
                return ids
            }
            #expect(ids == (0..<300).map(Int64.init))
            await client.close()
        }
    }

    @Test("a slow reader holds the server back to the flow-control window")
    func slowReader() async throws {
        let probe = TestServiceProbe()
        try await withTestServer(services: [TestServiceImplementation(probe: probe)]) { server, port in
            let window = Int(server.configuration.limits.initialWindow)
            let client = makeTestClient(ports: [port]) { $0.responseWindow = UInt32(window) }
            let total = window * 6
            let read = try await TestService.Client(client).serverStream(
                Ping(text: "slow", count: UInt32(total), payload: [UInt8](repeating: 7, count: 512))
            ) { stream in
                var read = 0
                for try await _ in stream {
                    read += 1
                    if read % 32 == 0 {
                        // Give the server every chance to run ahead, then check it did not.
                        try await Task.sleep(for: .milliseconds(30))
                        #expect(probe.streamedSent <= read + window + 1, "the server wrote past the window")
                    }
                }
                return read
            }
            #expect(read == total)
            await client.close()
        }
    }

    @Test("leaving the response loop early cancels the server's stream")
    func earlyExitCancels() async throws {
        let probe = TestServiceProbe()
        try await withTestServer(services: [TestServiceImplementation(probe: probe)]) { _, port in
            let client = makeTestClient(ports: [port])
            let first = try await TestService.Client(client).serverStream(
                Ping(text: "x", delayMillis: 20, count: 10_000)
            ) { stream in
                for try await pong in stream { return pong.id }
                return -1
            }
            #expect(first == 0)
            try await eventually { probe.cancelledHandlers == 1 }
            #expect(probe.streamedSent < 100)
            await client.close()
        }
    }

    @Test("client streaming sums what it is sent")
    func clientStreaming() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, port in
            let client = makeTestClient(ports: [port])
            let pong = try await TestService.Client(client).clientStream { writer in
                for id in 1...200 { try await writer.write(Ping(id: Int64(id))) }
            }
            #expect(pong.id == 20_100)
            #expect(pong.text == "received 200")
            await client.close()
        }
    }

    @Test("bidirectional streaming answers each message")
    func bidirectional() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, port in
            let client = makeTestClient(ports: [port])
            let ids = try await TestService.Client(client).bidi(
                requests: { writer in
                    for id in 1...150 { try await writer.write(Ping(id: Int64(id), text: "b")) }
                },
                onResponse: { stream in
                    var ids: [Int64] = []
                    for try await pong in stream { ids.append(pong.id) }
                    return ids
                }
            )
            #expect(ids == (1...150).map { Int64($0) * 2 })
            await client.close()
        }
    }
}
