import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import RefundMeshHosting
import RefundMeshProviders
import ServiceLifecycle

/// The provider sandbox: WeChat Pay, Alipay, a bank, a game operator and an SMS gateway over
/// HTTP, with its own SQLite records, a settlement scheduler and a notification sender.
///
/// Build one, then run its ``services(onListening:)`` in a `ServiceGroup` (the executable does,
/// with graceful shutdown on SIGTERM/SIGINT; tests do it in-process on port 0). Every wire
/// shape, signature and key is RefundMeshProviders', so the sandbox and the clients agree.
public struct Sandbox: Sendable {
    /// The settings it runs with.
    public let configuration: SandboxConfiguration
    /// Its records.
    public let store: SandboxStore
    /// Its rules and fault rates.
    public let engine: BehaviourEngine
    /// The credentials it verifies requests and signs answers with.
    public let keys: ProviderKeySet
    let desk: RefundDesk
    private let logger: Logger
    private let now: @Sendable () -> Int64

    /// Opens the store in the configured data folder.
    /// - Parameters:
    ///   - configuration: Settings (``SandboxConfiguration``).
    ///   - keys: The key set shared with the services (`provider-sandbox keys`).
    ///   - logger: The sandbox's logger.
    ///   - now: Its clock, Unix milliseconds.
    /// - Throws: `StoreError` when the store cannot be opened.
    public init(
        configuration: SandboxConfiguration,
        keys: ProviderKeySet,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) throws {
        self.configuration = configuration
        self.keys = keys
        self.store = try SandboxStore(path: configuration.databasePath, logger: logger)
        self.engine = BehaviourEngine(rates: configuration.rates)
        self.desk = RefundDesk(
            store: store,
            engine: engine,
            configuration: configuration,
            logger: logger,
            now: now
        )
        self.logger = logger
        self.now = now
    }

    /// The notification sender, the settlement scheduler and the HTTP server, in start order.
    /// - Parameter onListening: Called with the bound port once the server listens.
    public func services(onListening: @escaping @Sendable (Int) async -> Void) -> [any Service] {
        let skew = configuration.signatureMaximumSkew
        let wechat = WeChatPayServer(keySet: keys, allowedClockSkew: skew)
        let alipay = AlipayServer(keySet: keys, allowedClockSkew: skew)
        let bank = BankCardServer(keySet: keys, allowedClockSkew: skew)
        let gameOperator = GameOperatorServer(keySet: keys, allowedClockSkew: skew)

        let router = Router(context: BasicRequestContext.self)
        ControlRoutes(store: store, engine: engine, now: now).register(on: router)
        WeChatPayRoutes(desk: desk, server: wechat).register(on: router)
        AlipayRoutes(desk: desk, server: alipay).register(on: router)
        BankRoutes(desk: desk, server: bank, notifyURL: configuration.bankNotifyURL).register(on: router)
        OperatorRoutes(desk: desk, server: gameOperator).register(on: router)
        SMSRoutes(desk: desk, accounts: [keys.smsAccount: Array(keys.smsSecret.utf8)], maximumSkew: skew)
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
        let now = self.now
        let sender = NotificationSender(
            store: store,
            configuration: configuration.notifications,
            client: HTTPClient.shared,
            build: { refund, order, eventID in
                var request = HTTPClientRequest(url: order.notifyURL)
                request.method = .POST
                let headers: ProviderHeaders
                let body: Data
                switch refund.provider {
                case .alipay:
                    body = try AlipayRoutes.notification(server: alipay, refund: refund, order: order)
                    headers = [("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")]
                case .bank:
                    (headers, body) = try BankRoutes.notification(
                        server: bank,
                        refund: refund,
                        order: order,
                        eventID: eventID,
                        now: now()
                    )
                default:
                    (headers, body) = try WeChatPayRoutes.notification(
                        server: wechat,
                        refund: refund,
                        order: order,
                        eventID: eventID
                    )
                }
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                request.body = .bytes(ByteBuffer(bytes: body))
                return request
            },
            logger: logger
        )
        // A ServiceGroup stops services in reverse order: the server first (requests in flight, such
        // as one waiting for its notification to be delivered, finish), then the scheduler, then the sender.
        return [sender, scheduler, application]
    }

    /// Closes the store.
    public func close() throws { try store.close() }
}
