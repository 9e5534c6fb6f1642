import Logging
import RefundMeshRPC
import RefundMeshTestSupport
import Testing

@Suite("Connections: drain, reconnect, retry, health, discovery")
struct ConnectionLifecycleTests {
    @Test("draining lets in-flight calls finish and refuses new ones with UNAVAILABLE")
    func drainDuringCalls() async throws {
        let probe = TestServiceProbe()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = RPCServer(services: [TestServiceImplementation(probe: probe)], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try await server.listeningAddress().port!
            let client = makeTestClient(ports: [port])
            let stub = TestService.Client(client)
            _ = try await stub.unary(Ping(id: 0))  // connection up
            let inFlight = Task { try await stub.unary(Ping(id: 1, delayMillis: 400)) }
            try await eventually { probe.unaryCalls == 2 }
            server.beginGracefulShutdown()
            try await Task.sleep(for: .milliseconds(50))
            // New calls are refused: the connection got GOAWAY, and the listener is closed.
            let refused = await #expect(throws: RPCError.self) { _ = try await stub.unary(Ping(id: 2)) }
            #expect(refused?.code == .unavailable)
            // The call that was running completes normally.
            let pong = try await inFlight.value
            #expect(pong.id == 1)
            try await group.waitForAll()  // run() returns once drained
            await client.close()
        }
    }

    @Test("a client reconnects after the server restarts on the same port")
    func reconnectAfterRestart() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let first = RPCServer(services: [TestServiceImplementation()], logger: logger)
        let port = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await first.run() }
            let port = try await first.listeningAddress().port!
            first.beginGracefulShutdown()
            try await group.waitForAll()
            return port
        }
        let client = makeTestClient(ports: [port])
        let stub = TestService.Client(client)
        // While the server is down the call fails fast with UNAVAILABLE.
        let down = await #expect(throws: RPCError.self) { _ = try await stub.unary(Ping(id: 1)) }
        #expect(down?.code == .unavailable)

        let second = RPCServer(
            configuration: RPCServer.Configuration(port: port),
            services: [TestServiceImplementation()],
            logger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await second.run() }
            _ = try await second.listeningAddress()
            var answered: Pong?
            try await eventually(timeout: .seconds(30)) {
                answered = try? await stub.unary(Ping(id: 2))
                return answered != nil
            }
            #expect(answered?.id == 2)
            second.beginGracefulShutdown()
            try await group.waitForAll()
        }
        await client.close()
    }

    @Test("with the first endpoint down, calls go to the next one")
    func retryOnNextEndpoint() async throws {
        let deadPort = try await unusedPort()
        let probe = TestServiceProbe()
        try await withTestServer(services: [TestServiceImplementation(probe: probe)]) { _, port in
            let client = makeTestClient(ports: [deadPort, port])
            let stub = TestService.Client(client)
            for id in 0..<6 {
                let pong = try await stub.idempotent(Ping(id: Int64(id)))
                #expect(pong.id == Int64(id))
            }
            // Non-idempotent calls were never sent to the dead endpoint either, so they succeed too.
            let pong = try await stub.unary(Ping(id: 99))
            #expect(pong.id == 99)
            await client.close()
        }
    }

    @Test("an idempotent method is retried after UNAVAILABLE; a non-idempotent one is not")
    func idempotentRetry() async throws {
        let probe = TestServiceProbe(idempotentFailures: 2)
        try await withTestServer(services: [TestServiceImplementation(probe: probe)]) { _, port in
            let client = makeTestClient(ports: [port])
            let stub = TestService.Client(client)
            let pong = try await stub.idempotent(Ping(id: 5), options: CallOptions(maxAttempts: 3))
            #expect(pong.id == 5)
            #expect(probe.idempotentCalls == 3)

            let error = await #expect(throws: RPCError.self) {
                _ = try await stub.unary(Ping(text: "fail-unavailable"))
            }
            #expect(error?.code == .unavailable)
            #expect(probe.unaryCalls == 1)
            await client.close()
        }
    }

    @Test("health Check answers per service; Watch streams changes; discovery lists methods")
    func healthAndDiscovery() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { server, port in
            let client = makeTestClient(ports: [port])
            let health = Health.Client(client)
            #expect(try await health.check(HealthCheckRequest(service: "")).status == .serving)
            #expect(
                try await health.check(HealthCheckRequest(service: "refundmesh.testing.v1.TestService")).status
                    == .serving
            )
            let missing = await #expect(throws: RPCError.self) {
                _ = try await health.check(HealthCheckRequest(service: "nope.v1.Nope"))
            }
            #expect(missing?.code == .notFound)

            let service = "refundmesh.testing.v1.TestService"
            let seen = try await health.watch(HealthCheckRequest(service: service)) { stream in
                var seen: [HealthCheckResponse.ServingStatus] = []
                for try await response in stream {
                    seen.append(response.status)
                    if seen.count == 1 { server.health.setStatus(.notServing, for: service) }
                    if seen.count == 2 { break }
                }
                return seen
            }
            #expect(seen == [.serving, .notServing])

            let listing = try await ServerReflection.Client(client).listServices(ListServicesRequest())
            let names = listing.services.map(\.name)
            #expect(names.contains("refundmesh.testing.v1.TestService"))
            #expect(names.contains("refundmesh.health.v1.Health"))
            #expect(names.contains("refundmesh.reflection.v1.ServerReflection"))
            let methods = listing.services.first { $0.name == service }?.methods ?? []
            #expect(methods.first { $0.name == "ServerStream" }?.kind == .serverStreaming)
            #expect(methods.first { $0.name == "Idempotent" }?.idempotent == true)
            #expect(methods.first { $0.name == "Unary" }?.idempotent == false)
            await client.close()
        }
    }
}

/// A loopback port nothing listens on (bound, then released).
func unusedPort() async throws -> Int {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let server = RPCServer(services: [], logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let port = try await server.listeningAddress().port!
        server.beginGracefulShutdown()
        try await group.waitForAll()
        return port
    }
}
