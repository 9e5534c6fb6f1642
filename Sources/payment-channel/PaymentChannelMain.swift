import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import PaymentChannelService
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshStore

/// `payment-channel`: the RefundMesh payment-channel service (R-C1 … R-C6).
@main
struct PaymentChannelMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment-channel",
        abstract: "RefundMesh payment-channel service: pays approved refunds back the way the money came, once.",
        discussion: """
            Settings come from flags, then the environment, then defaults:
              PAYMENT_CHANNEL_HOST (127.0.0.1), PAYMENT_CHANNEL_PORT (7003),
              PAYMENT_CHANNEL_DATA_DIR or REFUNDMESH_DATA_DIR (./data; the store is payment-channel.sqlite,
                the provider sandbox's records payment-sandbox.sqlite),
              PAYMENT_CHANNEL_LOG_LEVEL or REFUNDMESH_LOG_LEVEL (info),
              INTAKE_ADDR (127.0.0.1:7001), NOTIFICATION_ADDR (127.0.0.1:7004),
              REFUND_* policy variables (fees, arrival times, balance withdrawal; see RefundPolicy),
              PAYMENT_SANDBOX_LATENCY_MILLIS (5), PAYMENT_SANDBOX_SETTLE_MILLIS (200; bank cards 3x),
              PAYMENT_SANDBOX_FAILURE_RATE (0).
            """
    )

    @OptionGroup var options: HostOptions

    func run() async throws {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let environment = ProcessInfo.processInfo.environment
        var settings = try options.settings(serviceName: "payment-channel", defaultPort: 7003, environment: environment)
        // It moves money: every commit is fsynced (R-C5 must survive a power cut too).
        settings.synchronousFull = true
        ServiceHost.bootstrapLogging(level: settings.logLevel)
        let logger = Logger(label: "payment-channel")

        let policy = try RefundPolicy(environment: environment)
        let peers = try PeerDirectory(
            peers: [RefundNotices.intake, RefundNotices.notification],
            environment: environment
        )
        let sandboxConfiguration = try SandboxChannelAdapter.Configuration(environment: environment)

        let store = try Store(
            configuration: Store.Configuration(path: settings.databasePath, synchronous: .full),
            migrations: PaymentStore.migrations,
            logger: logger
        )
        // The sandbox stands in for the providers, whose records outlive our process: its own file.
        let sandboxStore = try Store(
            configuration: Store.Configuration(path: settings.dataDirectory + "/payment-sandbox.sqlite"),
            migrations: SandboxChannelAdapter.migrations,
            logger: logger
        )
        let payments = PaymentStore(store: store, policy: policy)
        let adapter = SandboxChannelAdapter(store: sandboxStore, configuration: sandboxConfiguration)
        let payer = RefundPayer(payments: payments, adapter: adapter, logger: logger)
        let handler = PaymentChannelHandler(payments: payments, payer: payer)
        let dispatcher = OutboxDispatcher(peers: peers.clients(logger: logger), logger: logger)
        let relay = OutboxRelay(store: store, logger: logger, deliver: dispatcher.deliver)
        let settler = RefundSettler(payer: payer, logger: logger)

        try await ServiceHost.run(
            configuration: settings,
            services: [handler],
            background: [relay, settler],
            logger: logger
        )
        try sandboxStore.close()
        try store.close()
    }
}
