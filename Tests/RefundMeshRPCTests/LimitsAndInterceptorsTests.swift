import RefundMeshRPC
import RefundMeshTestSupport
import Synchronization
import Testing

@Suite("Limits, idle connections and interceptors")
struct LimitsAndInterceptorsTests {
    @Test("calls over the per-connection limit are RESOURCE_EXHAUSTED; the others complete")
    func concurrentCallLimit() async throws {
        var configuration = RPCServer.Configuration()
        configuration.limits.maxConcurrentCallsPerConnection = 4
        try await withTestServer(services: [TestServiceImplementation()], configuration: configuration) { _, port in
            let client = makeTestClient(ports: [port])
            let stub = TestService.Client(client)
            let outcomes = try await withThrowingTaskGroup(of: StatusCode.self) { group in
                for id in 0..<10 {
                    group.addTask {
                        do {
                            // Long enough that all ten are in flight together even on a loaded
                            // machine (at 300 ms a busy CI let the first four finish early).
                            _ = try await stub.unary(Ping(id: Int64(id), delayMillis: 3_000))
                            return .ok
                        } catch let error as RPCError {
                            return error.code
                        }
                    }
                }
                var codes: [StatusCode] = []
                for try await code in group { codes.append(code) }
                return codes
            }
            #expect(outcomes.filter { $0 == .ok }.count == 4)
            #expect(outcomes.filter { $0 == .resourceExhausted }.count == 6)
            await client.close()
        }
    }

    @Test("connections over the server's limit are refused with a GOAWAY that says why")
    func connectionLimit() async throws {
        var configuration = RPCServer.Configuration()
        configuration.limits.maxConnections = 1
        try await withTestServer(services: [TestServiceImplementation()], configuration: configuration) { _, port in
            let first = makeTestClient(ports: [port])
            _ = try await TestService.Client(first).unary(Ping(id: 1))
            let second = makeTestClient(ports: [port])
            let error = await #expect(throws: RPCError.self) {
                _ = try await TestService.Client(second).unary(Ping(id: 2))
            }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("limit of 1 connections") == true, "\(String(describing: error))")
            await first.close()
            await second.close()
        }
    }

    @Test("an idle connection is closed by the server and the client reconnects on the next call")
    func idleTimeout() async throws {
        var configuration = RPCServer.Configuration()
        // Not much shorter: a loaded machine can take longer than a tiny timeout between a new
        // connection and its first call, and the server would idle that one out too (seen in CI).
        configuration.idleTimeout = .seconds(1)
        try await withTestServer(services: [TestServiceImplementation()], configuration: configuration) { _, port in
            let client = makeTestClient(ports: [port])
            let stub = TestService.Client(client)
            _ = try await stub.unary(Ping(id: 1))
            // Well past the idle timeout, so even on a loaded machine the server has closed the
            // connection before the next call (a call racing the close is a different test).
            try await Task.sleep(for: .seconds(4))
            // The server closed the idle connection; the call must still succeed on a new one.
            let pong = try await stub.unary(Ping(id: 2))
            #expect(pong.id == 2)
            await client.close()
        }
    }

    @Test("server interceptors see every call and can refuse one; client interceptors add metadata")
    func interceptors() async throws {
        let recorder = Recorder()
        let server = RecordingServerInterceptor(recorder: recorder)
        try await withTestServer(services: [TestServiceImplementation()], interceptors: [server]) { _, port in
            let client = makeTestClient(ports: [port]) { $0.interceptors = [TokenClientInterceptor()] }
            let stub = TestService.Client(client)
            let pong = try await stub.unary(Ping(id: 1))
            #expect(pong.seenMetadata.contains("authorization=token-1"))
            let refused = await #expect(throws: RPCError.self) {
                _ = try await stub.unary(Ping(id: 2), options: CallOptions(metadata: ["x-block": "yes"]))
            }
            #expect(refused?.code == .permissionDenied)
            #expect(refused?.message == "blocked by interceptor")
            #expect(
                recorder.paths == [
                    "/refundmesh.testing.v1.TestService/Unary", "/refundmesh.testing.v1.TestService/Unary",
                ]
            )
            await client.close()
        }
    }
}

private final class Recorder: Sendable {
    private let values = Mutex<[String]>([])
    var paths: [String] { values.withLock { $0 } }
    func record(_ path: String) { values.withLock { $0.append(path) } }
}

private struct RecordingServerInterceptor: ServerInterceptor {
    let recorder: Recorder

    func intercept<Output: Sendable>(
        context: ServerContext,
        next: (ServerContext) async throws -> Output
    ) async throws -> Output {
        recorder.record(context.method.path)
        if context.metadata["x-block"] == "yes" {
            throw RPCError(code: .permissionDenied, message: "blocked by interceptor")
        }
        return try await next(context)
    }
}

private struct TokenClientInterceptor: ClientInterceptor {
    func intercept<Output: Sendable>(
        method: MethodDescriptor,
        options: CallOptions,
        next: (CallOptions) async throws -> Output
    ) async throws -> Output {
        var options = options
        options.metadata.addString("token-1", forKey: "authorization")
        return try await next(options)
    }
}
