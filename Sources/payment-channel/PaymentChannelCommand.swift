import ArgumentParser
import RefundMeshHosting

/// `payment-channel`: serves by default; `payment-channel healthcheck` is the container healthcheck.
@main
struct PaymentChannelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment-channel",
        abstract: "RefundMesh payment-channel service: pays approved refunds back the way the money came, once.",
        subcommands: [Serve.self, HealthCheckCommand<PaymentChannelIdentity>.self],
        defaultSubcommand: Serve.self
    )
}

/// What the health check needs to find this service.
enum PaymentChannelIdentity: ServiceIdentity {
    static let serviceName = "payment-channel"
    static let defaultPort = 7003
}
