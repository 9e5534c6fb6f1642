import ArgumentParser
import Foundation
import RefundMeshRPC

/// What a health check needs to know of the service it checks.
public protocol ServiceIdentity {
    /// e.g. "payment-channel".
    static var serviceName: String { get }
    /// The RPC port when `<SERVICE>_PORT` is not set.
    static var defaultPort: Int { get }
}

/// `<service> healthcheck`: asks the service on this host for its health over the RPC Health
/// Check and exits 0 when it is SERVING, 1 otherwise — docker-compose's and Kubernetes'
/// healthchecks run it inside the container, so it reads the same `<SERVICE>_PORT` the service
/// does and needs no other tool in the image.
public struct HealthCheckCommand<Identity: ServiceIdentity>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "healthcheck",
            abstract: "Exit 0 if the \(Identity.serviceName) service on this host answers SERVING, else 1.",
            discussion: """
                Asks 127.0.0.1 (or <SERVICE>_HOST when that is a specific address) on <SERVICE>_PORT, \
                or --address; prints the status or the reason.
                """
        )
    }

    @Option(help: "host:port to ask (default: this host, on <SERVICE>_PORT).")
    var address: String?

    @Option(help: "Seconds to wait for an answer.")
    var timeout: Double = 3

    public init() {}

    public func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let settings = try HostConfiguration(
            serviceName: Identity.serviceName,
            defaultPort: Identity.defaultPort,
            environment: environment
        )
        let target: String
        if let address {
            target = address
        } else {
            let wildcard = ["0.0.0.0", "::", "[::]", ""].contains(settings.host)
            target = "\(wildcard ? "127.0.0.1" : settings.host):\(settings.port)"
        }
        guard let endpoint = Endpoint(target) else {
            throw ValidationError("\(target) is not host:port")
        }
        var configuration = RPCClient.Configuration(endpoints: [endpoint])
        configuration.connectTimeout = .milliseconds(Int64(timeout * 1000))
        configuration.tls = settings.tls?.client
        let client = RPCClient(configuration: configuration)
        do {
            let answer = try await Health.Client(client).check(
                HealthCheckRequest(),
                options: CallOptions(timeout: .milliseconds(Int64(timeout * 1000)))
            )
            await client.close()
            print("\(Identity.serviceName) at \(target): \(answer.status)")
            if answer.status != .serving { throw ExitCode(1) }
        } catch let error as ExitCode {
            throw error
        } catch {
            await client.close()
            print("\(Identity.serviceName) at \(target): not healthy: \(error)")
            throw ExitCode(1)
        }
    }
}
