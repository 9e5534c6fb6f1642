import ArgumentParser
import RefundMeshHosting

/// `intake`: serves by default; `intake healthcheck` is the container healthcheck.
@main
struct IntakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "RefundMesh intake: orders, refund requests, pre-checks, the policy and every refund's timeline.",
        subcommands: [Serve.self, HealthCheckCommand<IntakeIdentity>.self],
        defaultSubcommand: Serve.self
    )
}

/// What the health check needs to find this service.
enum IntakeIdentity: ServiceIdentity {
    static let serviceName = "intake"
    static let defaultPort = 7001
}
