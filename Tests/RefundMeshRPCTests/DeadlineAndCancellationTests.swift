import RefundMeshRPC
import RefundMeshTestSupport
import Testing

@Suite("Deadlines and cancellation")
struct DeadlineAndCancellationTests {
    @Test("a slow handler past its deadline ends DEADLINE_EXCEEDED and the handler is cancelled")
    func deadlineExceeded() async throws {
        let probe = TestServiceProbe()
        try await withTestServer(services: [TestServiceImplementation(probe: probe)]) { _, port in
            let client = makeTestClient(ports: [port])
            // Connect first, so the deadline below is spent in the handler, not on connecting.
            _ = try await TestService.Client(client).unary(Ping(id: 0))
            let started = ContinuousClock.now
            let error = await #expect(throws: RPCError.self) {
                _ = try await TestService.Client(client).unary(
                    Ping(id: 1, delayMillis: 120_000),
                    // Long enough to reach the handler on a loaded machine, far below its 120 s.
                    options: CallOptions(timeout: .seconds(3))
                )
            }
            #expect(error?.code == .deadlineExceeded)
            // Far less than the handler's 120 s: the deadline, not the handler, ended the call (a
            // generous bound, so a loaded machine cannot fail it).
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(probe.unaryCalls == 2, "the slow call reached the handler")
            try await eventually { probe.cancelledHandlers == 1 }
            await client.close()
        }
    }

    @Test("the deadline travels to the server, and a handler's outgoing call inherits it")
    func deadlinePropagates() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, downstreamPort in
            let downstreamClient = makeTestClient(ports: [downstreamPort])
            let middle = TestServiceImplementation(downstream: TestService.Client(downstreamClient))
            try await withTestServer(services: [middle]) { _, port in
                let client = makeTestClient(ports: [port])
                let pong = try await TestService.Client(client).unary(
                    Ping(id: 1, text: "call-downstream"),
                    options: CallOptions(timeout: .seconds(20), metadata: ["x-request-id": "trace-me"])
                )
                // The downstream server saw a deadline, no later than the caller's 20 s.
                #expect(pong.remainingMicros > 0)
                #expect(pong.remainingMicros <= 20_000_000)
                // And the same request id.
                #expect(pong.seenMetadata.contains("x-request-id=trace-me"))
                await client.close()
            }
            await downstreamClient.close()
        }
    }

    @Test(
        "the trace id travels into a handler's outgoing calls; a server without one makes one; a malformed one is replaced"
    )
    func traceIDPropagates() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, downstreamPort in
            let downstreamClient = makeTestClient(ports: [downstreamPort])
            let middle = TestServiceImplementation(downstream: TestService.Client(downstreamClient))
            try await withTestServer(services: [middle]) { _, port in
                let client = makeTestClient(ports: [port])
                let stub = TestService.Client(client)
                let given = try await stub.unary(
                    Ping(id: 1, text: "call-downstream"),
                    options: CallOptions(metadata: ["x-trace-id": "4bf92f3577b34da6a3ce929d0e0e4736"])
                )
                #expect(given.seenMetadata.contains("x-trace-id=4bf92f3577b34da6a3ce929d0e0e4736"))
                // None given: the middle server makes one, and its downstream call carries it.
                let made = try await stub.unary(Ping(id: 2, text: "call-downstream"))
                let madeID = made.seenMetadata.first { $0.hasPrefix("x-trace-id=") }?.dropFirst("x-trace-id=".count)
                #expect(madeID?.count == 32 && madeID?.allSatisfy(\.isHexDigit) == true, "\(made.seenMetadata)")
                // A header that is not a usable id is not passed on.
                let bad = try await stub.unary(
                    Ping(id: 3, text: "call-downstream"),
                    options: CallOptions(metadata: ["x-trace-id": "a b\u{7}c"])
                )
                #expect(!bad.seenMetadata.contains("x-trace-id=a b\u{7}c"))
                #expect(bad.seenMetadata.contains { $0.hasPrefix("x-trace-id=") })
                await client.close()
            }
            await downstreamClient.close()
        }
    }

    @Test("cancelling the caller's task stops the server's handler")
    func cancellationReachesHandler() async throws {
        let probe = TestServiceProbe()
        try await withTestServer(services: [TestServiceImplementation(probe: probe)]) { _, port in
            let client = makeTestClient(ports: [port])
            let stub = TestService.Client(client)
            let task = Task { try await stub.unary(Ping(id: 1, delayMillis: 10_000)) }
            try await eventually { probe.unaryCalls == 1 }
            task.cancel()
            let result = await task.result
            #expect(throws: RPCError.self) { try result.get() }
            if case .failure(let error as RPCError) = result { #expect(error.code == .cancelled) }
            try await eventually { probe.cancelledHandlers == 1 }
            await client.close()
        }
    }
}
