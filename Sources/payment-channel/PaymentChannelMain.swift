import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import PaymentChannelNotifications
import PaymentChannelService
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshStore
import ServiceLifecycle

/// `payment-channel`: the RefundMesh payment-channel service (R-C1 … R-C6).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "RefundMesh payment-channel service: pays approved refunds back the way the money came, once.",
        discussion: """
            Settings come from flags, then the environment, then defaults:
              PAYMENT_CHANNEL_HOST (127.0.0.1), PAYMENT_CHANNEL_PORT (7003),
              PAYMENT_CHANNEL_DATA_DIR or REFUNDMESH_DATA_DIR (./data; the store is payment-channel.sqlite,
                the provider sandbox's records payment-sandbox.sqlite),
              PAYMENT_CHANNEL_LOG_LEVEL or REFUNDMESH_LOG_LEVEL (info),
              PAYMENT_CHANNEL_LOG_FORMAT or REFUNDMESH_LOG_FORMAT (text; json: one JSON object per line),
              PAYMENT_CHANNEL_MEMORY_TRIM_SECONDS or REFUNDMESH_MEMORY_TRIM_SECONDS (10; 0 or off: never): hand freed memory back,
              REFUNDMESH_AUTH_DIR (<data dir>/auth: the key set, docs/SECURITY.md), PAYMENT_CHANNEL_AUTH_KEY_FILE (<auth dir>/payment-channel.key),
              REFUNDMESH_AUTH_TRUST_FILE (<auth dir>/trusted-keys),
              REFUNDMESH_TLS (off; on: TLS to and from peers), PAYMENT_CHANNEL_TLS_CERT_FILE, PAYMENT_CHANNEL_TLS_KEY_FILE, REFUNDMESH_TLS_CA_FILE,
              REFUNDMESH_TLS_CLIENT_AUTH (none; require: mutual TLS) (docs/PROTOCOL.md#tls),
              PAYMENT_CHANNEL_METRICS_HOST (PAYMENT_CHANNEL_HOST), PAYMENT_CHANNEL_METRICS_PORT (9103; 0: any free port, also when the RPC port is 0; off),
              INTAKE_ADDR (127.0.0.1:7001), NOTIFICATION_ADDR (127.0.0.1:7004),
              REFUND_* policy variables (fees, arrival times, balance withdrawal; see RefundPolicy),
              PAYMENT_RECONCILE_FIRST_MS (60000), PAYMENT_RECONCILE_MAX_MS (1800000): provider queries of a
                refund in flight, first after this, then doubling up to the maximum (R-C6),
              PAYMENT_STUCK_GRACE_MS (3600000): escalate once past expected arrival + this (R-C6),
              PAYMENT_OPERATORS_RECIPIENT (payment-operators): who hears of alerts,
              PAYMENT_SUBMISSION_LEASE_MS (30000), PAYMENT_RATE_LIMITED_RETRY_MS (1000),
              PAYMENT_THROTTLE_WECHAT_RPS (150), PAYMENT_THROTTLE_ALIPAY_RPS (100), PAYMENT_THROTTLE_BANK_RPS (50),
              PAYMENT_THROTTLE_WECHAT_ORDER_INTERVAL_MS (60000), PAYMENT_THROTTLE_ALIPAY_ORDER_INTERVAL_MS (3000),
              PAYMENT_THROTTLE_BANK_ORDER_INTERVAL_MS (0) (R-C7),
              PAYMENT_WECHAT_MAX_REFUNDS_PER_ORDER (50), PAYMENT_WECHAT_REFUND_WINDOW_DAYS (365) (R-C7),
              PAYMENT_SANDBOX_LATENCY_MILLIS (5), PAYMENT_SANDBOX_SETTLE_MILLIS (200; bank cards 3x),
              PAYMENT_SANDBOX_FAILURE_RATE (0), PAYMENT_SANDBOX_ORDER_INTERVAL_MS (0).
            Real providers (or provider-sandbox over HTTP), per channel; unset: that channel is simulated in process:
              WECHATPAY_BASE_URL makes WeChat Pay real and then requires WECHATPAY_MCHID,
                WECHATPAY_MERCHANT_SERIAL (or _FILE), WECHATPAY_MERCHANT_KEY_FILE, WECHATPAY_PLATFORM_SERIAL (or _FILE),
                WECHATPAY_PLATFORM_PUBLIC_KEY_FILE, WECHATPAY_APIV3_KEY_FILE, WECHATPAY_NOTIFY_URL;
                optional WECHATPAY_TIMEOUT_MS (10000), WECHATPAY_CLOCK_SKEW_MS (300000),
              ALIPAY_GATEWAY_URL makes Alipay real and then requires ALIPAY_APP_ID, ALIPAY_APP_PRIVATE_KEY_FILE,
                ALIPAY_PUBLIC_KEY_FILE; optional ALIPAY_NOTIFY_URL, ALIPAY_TIMEOUT_MS (10000), ALIPAY_CLOCK_SKEW_MS,
              BANK_BASE_URL makes bank cards real and then requires BANK_MERCHANT_ID, BANK_HMAC_KEY_FILE;
                optional BANK_NOTIFY_URL (registered with the bank), BANK_TIMEOUT_MS (10000), BANK_CLOCK_SKEW_MS,
              PAYMENT_CHANNEL_NOTIFY_HOST (127.0.0.1), PAYMENT_CHANNEL_NOTIFY_PORT (7013; 0: any free port): the
                providers' notification endpoint (POST /notify/wechatpay, /notify/alipay, /notify/bank), run only
                when at least one channel is real (R-C9).
            See docs/PAYMENTS.md and docs/PROVIDERS.md.
            """
                + RefundPolicy.helpText
    )

    @OptionGroup var options: HostOptions

    func run() async throws {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let environment = ProcessInfo.processInfo.environment
        var settings = try options.settings(
            serviceName: "payment-channel",
            defaultPort: 7003,
            defaultMetricsPort: 9103,
            environment: environment
        )
        // It moves money: every commit is fsynced (R-C5 must survive a power cut too).
        settings.synchronousFull = true
        // Every call is authenticated: no key set, no service (docs/SECURITY.md).
        let auth = try ServiceAuth(settings: settings)
        ServiceHost.bootstrap(settings)
        let logger = Logger(label: "payment-channel")

        let policy = try RefundPolicy(environment: environment)
        let peers = try PeerDirectory(
            peers: [RefundNotices.intake, RefundNotices.notification],
            environment: environment,
            tls: settings.tls
        )
        let sandboxConfiguration = try SandboxChannelAdapter.Configuration(environment: environment)
        let paymentSettings = try PaymentChannelConfiguration(environment: environment)
        let providers = try ProviderChannels(environment: environment)
        let notifyConfiguration = try ProviderNotificationServer.Configuration(environment: environment)

        // The store: the SQLite file by default, or PostgreSQL shared by the replicas when
        // PAYMENT_CHANNEL_DATABASE_URL is set (docs/SCALING.md).
        let backend = try ServiceBackend(
            settings: settings,
            sqlite: PaymentStore.migrations,
            postgres: PaymentStore.postgresMigrations + SandboxChannelAdapter.postgresMigrations,
            logger: logger
        )
        // The sandbox stands in for the providers, whose records outlive our process: its own
        // file, or on PostgreSQL its own tables in the shared database (every replica sees them).
        let sandboxStore =
            try backend.sqlite.map { _ in
                try Store(
                    configuration: Store.Configuration(path: settings.dataDirectory + "/payment-sandbox.sqlite"),
                    migrations: SandboxChannelAdapter.migrations,
                    logger: logger
                )
            }
        try await backend.start()
        let payments = PaymentStore(store: backend.database, policy: policy, settings: paymentSettings)
        // Claims of submissions that died with the previous process (R-C6: retried, same number).
        try await payments.releaseAbandonedClaims()
        let sandbox = SandboxChannelAdapter(
            store: sandboxStore?.database ?? backend.database,
            configuration: sandboxConfiguration
        )
        // One adapter per channel (R-C1): the real provider where its settings are present, else the sandbox.
        // One HTTPClient for every provider, shut down at exit.
        let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let clients = providers.clients(httpClient: httpClient, logger: logger)
        let (real, simulated) = providers.summary
        let realText = real.isEmpty ? "none" : real.joined(separator: ", ")
        let simulatedText = simulated.isEmpty ? "none" : simulated.joined(separator: ", ")
        logger.info(
            "payment channels: real \(realText); simulated in process \(simulatedText)",
            metadata: ["channels.real": "\(real)", "channels.simulated": "\(simulated)"]
        )
        let adapters = ProviderChannels.adapters(
            wechat: clients.wechat,
            alipay: clients.alipay,
            bank: clients.bank,
            simulated: sandbox,
            logger: logger
        )
        let payer = RefundPayer(payments: payments, adapters: adapters, logger: logger)
        let handler = PaymentChannelHandler(payments: payments, payer: payer)
        let dispatcher = OutboxDispatcher(peers: peers.clients(logger: logger, auth: auth), logger: logger)
        let relay = backend.relay(dispatcher: dispatcher)
        let settler = RefundSettler(payer: payer, logger: logger)
        // The sandbox notifies like a provider does (R-C9); real providers call a notify endpoint.
        let notifier = SandboxNotifier(sandbox: sandbox, payments: payments, logger: logger)

        var background: [any Service] = [relay, settler, notifier]
        if providers.anyReal {
            // Real providers notify over HTTP (R-C9); the in-process sandbox through `notifier`.
            let receiver = ProviderNotificationReceiver(
                payments: payments,
                wechat: clients.wechat,
                alipay: clients.alipay,
                bank: clients.bank,
                logger: logger
            )
            background.append(
                ProviderNotificationServer(configuration: notifyConfiguration, receiver: receiver, logger: logger)
            )
        }

        do {
            try await ServiceHost.run(
                configuration: settings,
                services: [handler],
                auth: auth,
                background: background,
                stores: backend.sqlite.map { store in
                    ["payment-channel": store, "payment-sandbox": sandboxStore].compactMapValues { $0 }
                } ?? [:],
                gauges: backend.sqlite.map(PaymentStore.gauges) ?? [],
                logger: logger
            )
        } catch {
            try? await httpClient.shutdown()
            try? sandboxStore?.close()
            await backend.stop()
            throw error
        }
        try await httpClient.shutdown()
        try sandboxStore?.close()
        await backend.stop()
    }
}
