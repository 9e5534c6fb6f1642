import ArgumentParser
import Foundation
import Logging
import NIOPosix
import RPCBenchAPI
import RefundMeshAuth
import RefundMeshRPC
import RefundMeshTracing
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the Echo service until SIGTERM/SIGINT.")

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to bind (0 picks a free one and prints it).")
    var port: Int = 50051

    @Option(help: "Where Swift tasks run: nio (event loops) or default (cooperative pool).")
    var executor: ExecutorChoice = .nio

    @Option(help: "Authenticate every call with this key set's trust file, as the services do (docs/SECURITY.md).")
    var auth: String?

    func run() async throws {
        executor.install()
        LoggingSystem.bootstrap { label in
            // The services' handler, so that per-call logger metadata costs what it costs there.
            var handler = TextLogHandler(label: label)
            handler.logLevel = .notice
            return handler
        }
        var interceptors: [any ServerInterceptor] = []
        if let auth {
            let trust = try KeySet(directory: URL(fileURLWithPath: auth)).readTrust()
            interceptors.append(
                AuthenticationInterceptor(
                    verifier: TokenVerifier(trust: trust, audience: "rpc-bench"),
                    policy: AuthorizationPolicy(rules: [Echo.Method.echo.path: .roles([.review])])
                )
            )
        }
        let server = RPCServer(
            configuration: RPCServer.Configuration(host: host, port: port),
            services: [EchoService()],
            interceptors: interceptors,
            logger: Logger(label: "rpc-bench")
        )
        let group = ServiceGroup(
            services: [server],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "rpc-bench")
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let address = try await server.listeningAddress()
            print("rpc-bench listening on \(address.ipAddress ?? host):\(address.port ?? port)")
            fflush(nil)  // scripts wait for this line; stdout is block-buffered when piped
            try await tasks.waitForAll()
        }
        let cpu = selfCPUNanos()
        print(
            "rpc-bench serve: stopped; cpu user \(fmt(Double(cpu.user) / 1e9, 2)) s, system \(fmt(Double(cpu.system) / 1e9, 2)) s"
        )
    }
}

/// Echoes the request back.
struct EchoService: Echo.ServiceProtocol {
    func echo(_ request: EchoRequest, context: ServerContext) async throws -> EchoResponse {
        EchoResponse(payload: request.payload, id: request.id, note: request.note)
    }
}
