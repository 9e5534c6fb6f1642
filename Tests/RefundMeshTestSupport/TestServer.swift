import Logging
import NIOCore
import RefundMeshRPC

/// A real RPCServer on a loopback port for the duration of `body`.
public func withTestServer<Result: Sendable>(
    services: [any RPCService],
    configuration: RPCServer.Configuration = RPCServer.Configuration(),
    interceptors: [any ServerInterceptor] = [],
    _ body: (RPCServer, Int) async throws -> Result
) async throws -> Result {
    var logger = Logger(label: "test.server")
    logger.logLevel = .critical
    let server = RPCServer(configuration: configuration, services: services, interceptors: interceptors, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let port = try await server.listeningAddress().port!
        do {
            let result = try await body(server, port)
            server.beginGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// A client for `127.0.0.1:port` that logs nothing.
public func makeTestClient(ports: [Int], configure: (inout RPCClient.Configuration) -> Void = { _ in }) -> RPCClient {
    var configuration = RPCClient.Configuration(endpoints: ports.map { Endpoint(host: "127.0.0.1", port: $0) })
    configuration.backoff.initial = .milliseconds(20)
    configuration.backoff.maximum = .milliseconds(200)
    configure(&configuration)
    var logger = Logger(label: "test.client")
    logger.logLevel = .critical
    return RPCClient(configuration: configuration, logger: logger)
}
