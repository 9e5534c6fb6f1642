import ArgumentParser
import RefundMeshHosting

/// `review`: serves by default; `review healthcheck` is the container healthcheck.
@main
struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "RefundMesh review service: decides refunds from the records, or queues them for a person.",
        subcommands: [Serve.self, HealthCheckCommand<ReviewIdentity>.self],
        defaultSubcommand: Serve.self
    )
}

/// What the health check needs to find this service.
enum ReviewIdentity: ServiceIdentity {
    static let serviceName = "review"
    static let defaultPort = 7002
}
