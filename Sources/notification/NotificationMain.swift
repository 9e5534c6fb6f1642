import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import NotificationService
import RefundMeshHosting
import RefundMeshStore

/// `notification`: the RefundMesh notification service (R-N1 … R-N3).
@main
struct NotificationMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notification",
        abstract: "RefundMesh notification service: renders refund events into the user's inbox.",
        discussion: """
            Settings come from flags, then the environment, then defaults:
              NOTIFICATION_HOST (127.0.0.1), NOTIFICATION_PORT (7004),
              NOTIFICATION_DATA_DIR or REFUNDMESH_DATA_DIR (./data; the store is notification.sqlite),
              NOTIFICATION_LOG_LEVEL or REFUNDMESH_LOG_LEVEL (info).
            """
    )

    @OptionGroup var options: HostOptions

    func run() async throws {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        var settings = try options.settings(serviceName: "notification", defaultPort: 7004, environment: environment())
        // The inbox moves no money: NORMAL keeps it durable across process crashes (WAL) and
        // loses at most the last transactions on a power cut, which the senders' outboxes redeliver.
        settings.synchronousFull = false
        ServiceHost.bootstrapLogging(level: settings.logLevel)
        let logger = Logger(label: "notification")

        let store = try Store(
            configuration: Store.Configuration(path: settings.databasePath, synchronous: .normal),
            migrations: InboxStore.migrations,
            logger: logger
        )
        let handler = NotificationHandler(inbox: InboxStore(store: store))
        try await ServiceHost.run(configuration: settings, services: [handler], logger: logger)
        try store.close()
    }

    private func environment() -> [String: String] { ProcessInfo.processInfo.environment }
}
