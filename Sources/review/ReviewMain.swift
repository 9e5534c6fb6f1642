import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import RefundMeshAPI
import RefundMeshHosting
import RefundMeshStore
import ReviewService
import ServiceLifecycle

/// `review`: the RefundMesh review service (R-R1 … R-R3, R-R5).
@main
struct ReviewMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "RefundMesh review service: decides refunds from the records, or queues them for a person.",
        discussion: """
            Settings come from flags, then the environment, then defaults:
              REVIEW_HOST (127.0.0.1), REVIEW_PORT (7002),
              REVIEW_DATA_DIR or REFUNDMESH_DATA_DIR (./data; the store is review.sqlite),
              REVIEW_LOG_LEVEL or REFUNDMESH_LOG_LEVEL (info),
              INTAKE_ADDR (127.0.0.1:7001), PAYMENT_CHANNEL_ADDR (127.0.0.1:7003),
              NOTIFICATION_ADDR (127.0.0.1:7004),
              REVIEW_OPERATOR_SANDBOX (unknown | credited | failed; default unknown),
              REVIEW_RETRY_INTERVAL_MS (30000), REVIEW_PAYMENTS_TIMEOUT_MS (3000).
            """
    )

    @OptionGroup var options: HostOptions

    func run() async throws {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let environment = ProcessInfo.processInfo.environment
        var settings = try options.settings(serviceName: "review", defaultPort: 7002, environment: environment)
        settings.synchronousFull = true  // decisions lead to money moving: a commit must survive power loss
        let review = try ReviewConfiguration(environment: environment)
        let peers = try PeerDirectory(
            peers: [CaseMessages.intake, CaseMessages.paymentChannel, CaseMessages.notification],
            environment: environment
        )
        ServiceHost.bootstrapLogging(level: settings.logLevel)
        let logger = Logger(label: "review")

        let store = try Store(
            configuration: Store.Configuration(path: settings.databasePath, synchronous: .full),
            migrations: ReviewStore.migrations,
            logger: logger
        )
        let clients = peers.clients(logger: logger)
        let handler = ReviewHandler(
            store: store,
            payments: PaymentChannelRecords(
                client: PaymentChannel.Client(clients[CaseMessages.paymentChannel]!),
                timeout: review.paymentsTimeout
            ),
            operatorAdapter: SandboxOperatorAdapter(answer: review.operatorSandbox)
        )
        let dispatcher = OutboxDispatcher(peers: clients, logger: logger)
        let relay = OutboxRelay(store: store, logger: logger) { message in try await dispatcher.deliver(message) }
        let retry = ManualQueueRetry(handler: handler, interval: review.retryInterval, logger: logger)
        try await ServiceHost.run(
            configuration: settings,
            services: [handler],
            background: [relay, retry],
            logger: logger
        )
        for client in clients.values { await client.close() }
        try store.close()
    }
}

/// Decides again, every `interval`, the cases that wait for records (R-R2 "retried", R-R3).
struct ManualQueueRetry: Service {
    let handler: ReviewHandler
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let decided = try await handler.retryAwaitingCases()
                if decided > 0 {
                    logger.info("waiting cases decided on retry", metadata: ["review.decided": "\(decided)"])
                }
            } catch {
                logger.notice("retrying waiting cases failed; next round later", metadata: ["error": "\(error)"])
            }
        }
    }
}
