import ArgumentParser
import RefundMeshHosting

/// `notification`: serves by default; `notification healthcheck` is the container healthcheck.
@main
struct NotificationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notification",
        abstract: "RefundMesh notification service: the user's inbox, and SMS, e-mail and webhook deliveries.",
        subcommands: [Serve.self, HealthCheckCommand<NotificationIdentity>.self],
        defaultSubcommand: Serve.self
    )
}

/// What the health check needs to find this service.
enum NotificationIdentity: ServiceIdentity {
    static let serviceName = "notification"
    static let defaultPort = 7004
}
