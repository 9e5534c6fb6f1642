import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import RefundMeshHosting
import ServiceLifecycle

/// The provider sandbox: WeChat Pay, Alipay, a bank, a game operator and an SMS gateway over
/// HTTP, with its own SQLite records, a settlement scheduler and a notification sender.
///
/// Build one, then run its ``services(onListening:)`` in a `ServiceGroup` (the executable does,
/// with graceful shutdown on SIGTERM/SIGINT; tests do it in-process on port 0).
public struct Sandbox: Sendable {
    /// The settings it runs with.
    public let configuration: SandboxConfiguration
    /// Its records.
    public let store: SandboxStore
    /// Its rules and fault rates.
    public let engine: BehaviourEngine
    let desk: RefundDesk
    let smsAccounts: [String: [UInt8]]
    private let logger: Logger
    private let now: @Sendable () -> Int64

    /// Opens the store in the configured data folder.
    /// - Parameters:
    ///   - configuration: Settings (``SandboxConfiguration``).
    ///   - smsAccounts: SMS account names and their HMAC secrets.
    ///   - logger: The sandbox's logger.
    ///   - now: Its clock, Unix milliseconds.
    /// - Throws: `StoreError` when the store cannot be opened.
    public init(
        configuration: SandboxConfiguration,
        smsAccounts: [String: [UInt8]],
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) throws {
        self.configuration = configuration
        self.store = try SandboxStore(path: configuration.databasePath, logger: logger)
        self.engine = BehaviourEngine(rates: configuration.rates)
        self.desk = RefundDesk(
            store: store,
            engine: engine,
            configuration: configuration,
            logger: logger,
            now: now
        )
        self.smsAccounts = smsAccounts
        self.logger = logger
        self.now = now
    }

    /// The HTTP server, the settlement scheduler and the notification sender.
    /// - Parameter onListening: Called with the bound port once the server listens.
    public func services(onListening: @escaping @Sendable (Int) async -> Void) -> [any Service] {
        let router = Router(context: BasicRequestContext.self)
        ControlRoutes(store: store, engine: engine, now: now).register(on: router)
        SMSRoutes(desk: desk, accounts: smsAccounts, maximumSkew: configuration.signatureMaximumSkew)
            .register(on: router)
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host.host, port: configuration.host.port),
                serverName: "provider-sandbox"
            ),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let scheduler = SettlementScheduler(store: store, tick: configuration.settleTick, logger: logger, now: now)
        let sender = NotificationSender(
            store: store,
            configuration: configuration.notifications,
            client: HTTPClient.shared,
            build: { refund, order in try Self.neutralNotification(refund, order) },
            logger: logger
        )
        return [application, scheduler, sender]
    }

    /// Closes the store.
    public func close() throws { try store.close() }

    static func neutralNotification(_ refund: ProviderRefund, _ order: NotificationOrder) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: order.notifyURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        var body = refund
        body.state = order.state
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        return request
    }
}
