import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import ProviderSandbox
import RefundMeshHosting
import RefundMeshProviders
import ServiceLifecycle

/// `provider-sandbox`: WeChat Pay, Alipay, a bank, a game operator and an SMS gateway over HTTP,
/// for development, tests and benches (docs/SANDBOX.md).
@main
struct ProviderSandboxMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider-sandbox",
        abstract: "Plays WeChat Pay, Alipay, a bank, a game operator and an SMS gateway over HTTP.",
        subcommands: [Serve.self, Keys.self, SandboxHealthCheck.self],
        defaultSubcommand: Serve.self
    )
}

/// `provider-sandbox serve` (the default).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the providers' APIs and the control API until SIGTERM/SIGINT.",
        discussion: """
            Settings come from flags, then the environment, then defaults (docs/SANDBOX.md lists all):
              PROVIDER_SANDBOX_HOST (127.0.0.1), PROVIDER_SANDBOX_PORT (7080),
              SANDBOX_DATA_DIR, PROVIDER_SANDBOX_DATA_DIR or REFUNDMESH_DATA_DIR (./data; the records are
                provider-sandbox.sqlite, the keys <data dir>/keys unless SANDBOX_KEYS_DIR),
              PROVIDER_SANDBOX_LOG_LEVEL or REFUNDMESH_LOG_LEVEL (info),
              PROVIDER_SANDBOX_LOG_FORMAT or REFUNDMESH_LOG_FORMAT (text; json: one JSON object per line),
              SANDBOX_WECHAT_MERCHANT_RPS (150), SANDBOX_WECHAT_ORDER_INTERVAL_MS (60000),
              SANDBOX_WECHAT_MAX_REFUNDS_PER_ORDER (50), SANDBOX_WECHAT_REFUND_WINDOW_DAYS (365),
              SANDBOX_ALIPAY_TRADE_INTERVAL_MS (3000), SANDBOX_SMS_PHONE_INTERVAL_MS (1000),
              SANDBOX_WALLET_SETTLE_MS (1000), SANDBOX_BANK_WORKING_DAY_MS (1000), SANDBOX_STALL_MS (30000),
              SANDBOX_SETTLE_AFTER_MS, SANDBOX_SETTLE_TICK_MS, SANDBOX_REVERSE_AFTER_MS, SANDBOX_LATENCY_MS,
              SANDBOX_DEFAULT_TRADE_TOTAL_FEN, SANDBOX_REQUIRE_REGISTERED_TRADES, SANDBOX_SIGNATURE_MAX_SKEW_S,
              SANDBOX_BANK_NOTIFY_URL (where bank settlements are notified),
              SANDBOX_NOTIFY_RETRY_INITIAL_MS, SANDBOX_NOTIFY_RETRY_MAX_MS, SANDBOX_NOTIFY_MAX_ATTEMPTS,
              SANDBOX_NOTIFY_TIMEOUT_MS, SANDBOX_NOTIFY_BEFORE_ANSWER_WAIT_MS (notifications),
              SANDBOX_RATE_TIMEOUT_AFTER_COMMIT, SANDBOX_RATE_FAIL, SANDBOX_RATE_ABNORMAL, SANDBOX_RATE_CLOSED,
              SANDBOX_RATE_DUPLICATE_NOTIFICATIONS, SANDBOX_RATE_OUT_OF_ORDER, SANDBOX_RATE_NOTIFY_BEFORE_ANSWER,
              SANDBOX_RATE_REVERSE and SANDBOX_SEED (random faults).
            """
    )

    @OptionGroup var options: HostOptions

    func run() async throws {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let environment = ProcessInfo.processInfo.environment
        var configuration = try SandboxConfiguration(environment: environment)
        let keysFollowData = environment["SANDBOX_KEYS_DIR"].map(\.isEmpty) ?? true
        if let host = options.host { configuration.host.host = host }
        if let port = options.port { configuration.host.port = port }
        if let dataDir = options.dataDir {
            configuration.host.dataDirectory = dataDir
            if keysFollowData { configuration.keysDirectory = dataDir + "/keys" }
        }
        ServiceHost.bootstrapLogging(level: configuration.host.logLevel, format: configuration.host.logFormat)
        let logger = Logger(label: "provider-sandbox")
        if let origin = configuration.host.clockOriginMs { UnixTime.startClock(at: origin) }

        // The same files the services read through their *_FILE settings; created on first start.
        let keys = try ProviderKeySet.loadOrCreate(in: configuration.keysDirectory)
        let sandbox = try Sandbox(configuration: configuration, keys: keys, logger: logger)
        let host = configuration.host.host
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: sandbox.services { port in
                    // Tests and scripts wait for this line; stdout is block-buffered when piped.
                    print("provider-sandbox listening on \(host):\(port)")
                    fflush(nil)
                }.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        logger.info(
            "provider sandbox starting",
            metadata: [
                "sandbox.data": "\(configuration.databasePath)", "sandbox.keys": "\(configuration.keysDirectory)",
            ]
        )
        try await group.run()
        try sandbox.close()
        logger.info("stopped")
    }
}

/// `provider-sandbox keys --dir DIR`.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a development key set (WeChat Pay, Alipay, bank, operator, SMS) and providers.env.",
        discussion: """
            Writes the files the sandbox and the services share through their *_FILE settings: WeChat Pay
            merchant and platform key pairs with serials and the APIv3 key, Alipay app and Alipay key pairs,
            the bank and operator HMAC keys, the SMS account and secret, and providers.env with every setting
            pointing at them. Existing key sets are left alone unless --force is given.
            """
    )

    @Option(help: "Folder to write the key set into (created if missing).")
    var dir: String

    @Flag(help: "Replace a key set that already exists in the folder.")
    var force = false

    func run() throws {
        if ProviderKeySet.exists(in: dir) && !force {
            print("a key set already exists in \(dir); kept (use --force to replace it)")
            return
        }
        let keys = try ProviderKeySet.generateDevelopment()
        try keys.write(to: dir)
        print("wrote a development key set and providers.env to \(dir)")
    }
}

/// `provider-sandbox healthcheck`: the container healthcheck. The sandbox speaks HTTP, not the
/// RPC, so it asks the control API for the sandbox's stats (which reads its store) and exits 0
/// when they come back.
struct SandboxHealthCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 if the sandbox on this host answers its control API, else 1."
    )

    @Option(help: "Base URL to ask (default: http://127.0.0.1:<PROVIDER_SANDBOX_PORT>).")
    var url: String?

    func run() async throws {
        let configuration = try SandboxConfiguration(environment: ProcessInfo.processInfo.environment)
        let base = url ?? "http://127.0.0.1:\(configuration.host.port)"
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let stats = try await SandboxControlClient(baseURL: base, httpClient: client, timeout: .seconds(3)).stats()
            try await client.shutdown()
            print("provider-sandbox at \(base): serving (\(stats.refunds) refunds recorded)")
        } catch {
            try? await client.shutdown()
            print("provider-sandbox at \(base): not healthy: \(error)")
            throw ExitCode(1)
        }
    }
}
