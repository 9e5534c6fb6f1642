import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import NotificationChannels
import NotificationService
import RefundMeshHosting
import RefundMeshStore

/// `notification`: the RefundMesh notification service (R-N1 … R-N3).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "RefundMesh notification service: the user's inbox, and SMS, e-mail and webhook deliveries.",
        discussion: """
            Settings come from flags, then the environment, then defaults:
              NOTIFICATION_HOST (127.0.0.1), NOTIFICATION_PORT (7004),
              NOTIFICATION_DATA_DIR or REFUNDMESH_DATA_DIR (./data; the store is notification.sqlite),
              NOTIFICATION_LOG_LEVEL or REFUNDMESH_LOG_LEVEL (info),
              NOTIFICATION_LOG_FORMAT or REFUNDMESH_LOG_FORMAT (text; json: one JSON object per line),
              NOTIFICATION_MEMORY_TRIM_SECONDS or REFUNDMESH_MEMORY_TRIM_SECONDS (10; 0 or off: never): hand freed memory back,
              REFUNDMESH_AUTH_DIR (<data dir>/auth: the key set, docs/SECURITY.md), NOTIFICATION_AUTH_KEY_FILE (<auth dir>/notification.key),
              REFUNDMESH_AUTH_TRUST_FILE (<auth dir>/trusted-keys),
              REFUNDMESH_TLS (off; on: TLS to and from peers), NOTIFICATION_TLS_CERT_FILE, NOTIFICATION_TLS_KEY_FILE, REFUNDMESH_TLS_CA_FILE,
              REFUNDMESH_TLS_CLIENT_AUTH (none; require: mutual TLS) (docs/PROTOCOL.md#tls),
              NOTIFICATION_METRICS_HOST (NOTIFICATION_HOST), NOTIFICATION_METRICS_PORT (9104; 0: any free port, also when the RPC port is 0; off).
            Deliveries (R-N3; docs/NOTIFICATIONS.md):
              NOTIFY_RETRY_INITIAL_MS (5000), NOTIFY_RETRY_MAX_MS (3600000), NOTIFY_RETRY_MULTIPLIER (2),
              NOTIFY_RETRY_JITTER (0.2), NOTIFY_RETRY_ATTEMPTS (10; then the dead letters),
              NOTIFY_WORKER_INTERVAL_MS (500), NOTIFY_WORKER_CONCURRENCY (8).
            E-mail (off unless NOTIFY_SMTP_HOST is set; no STARTTLS/AUTH: use a local or trusted relay):
              NOTIFY_SMTP_HOST, NOTIFY_SMTP_PORT (25), NOTIFY_SMTP_FROM (refunds@refundmesh.local),
              NOTIFY_SMTP_HELO (refundmesh.local), NOTIFY_SMTP_TIMEOUT_MS (10000).
            SMS (off unless NOTIFY_SMS_BASE_URL is set):
              NOTIFY_SMS_BASE_URL, NOTIFY_SMS_ACCOUNT (or NOTIFY_SMS_ACCOUNT_FILE), NOTIFY_SMS_SECRET_FILE,
              NOTIFY_SMS_SIGN_NAME (RefundMesh),
              NOTIFY_SMS_TIMEOUT_MS (10000).
            Webhooks: NOTIFY_WEBHOOK_TIMEOUT_MS (10000), NOTIFY_WEBHOOK_ALLOW_HTTP (0: https only,
              except to localhost).
            """
    )

    @OptionGroup var options: HostOptions

    func run() async throws {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        var settings = try options.settings(
            serviceName: "notification",
            defaultPort: 7004,
            defaultMetricsPort: 9104,
            environment: environment()
        )
        // The inbox moves no money: NORMAL keeps it durable across process crashes (WAL) and
        // loses at most the last transactions on a power cut, which the senders' outboxes redeliver.
        settings.synchronousFull = false
        // Every call is authenticated: no key set, no service (docs/SECURITY.md).
        let auth = try ServiceAuth(settings: settings)
        ServiceHost.bootstrap(settings)
        let logger = Logger(label: "notification")

        // The store: the SQLite file by default, or PostgreSQL shared by the replicas when
        // NOTIFICATION_DATABASE_URL is set (docs/SCALING.md).
        let backend = try ServiceBackend(
            settings: settings,
            sqlite: InboxStore.migrations,
            postgres: InboxStore.postgresMigrations,
            logger: logger
        )
        try await backend.start()
        let notify = try NotificationConfiguration(environment: environment())
        let handler = NotificationHandler(
            inbox: InboxStore(store: backend.database),
            webhookAllowsHTTP: notify.webhookAllowsHTTP
        )
        let http = NotificationHTTP.makeClient()
        // Signatures carry the real time: receivers check it against their own clocks, whatever
        // REFUNDMESH_CLOCK_ORIGIN_MS did to this process's (the worker's schedule uses that one).
        let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        var channels: [any DeliveryChannel] = [WebhookChannel(client: http, timeout: notify.webhook.timeout, now: now)]
        if !notify.smtp.host.isEmpty {
            let smtp = SMTPClient(
                host: notify.smtp.host,
                port: notify.smtp.port,
                helo: notify.smtp.helo,
                timeout: notify.smtp.timeout
            )
            channels.append(SMTPChannel(client: smtp, from: notify.smtp.from, now: now))
        }
        if !notify.sms.baseURL.isEmpty {
            channels.append(
                SMSChannel(
                    client: http,
                    baseURL: notify.sms.baseURL,
                    account: notify.sms.account.isEmpty
                        ? try SMSChannel.text(fromFile: notify.sms.accountFile, variable: "NOTIFY_SMS_ACCOUNT_FILE")
                        : notify.sms.account,
                    secret: try SMSChannel.text(fromFile: notify.sms.secretFile),
                    signName: notify.sms.signName,
                    timeout: notify.sms.timeout,
                    now: now
                )
            )
        }
        let worker = DeliveryWorker(
            deliveries: handler.deliveries,
            channels: channels,
            policy: DeliveryStore.Policy(backoff: notify.backoff, maximumAttempts: notify.maximumAttempts),
            concurrency: notify.workerConcurrency,
            logger: logger,
            now: { UnixTime.nowMilliseconds() }
        )
        let deliveryRounds = PeriodicTask(
            "sending due notifications",
            every: notify.workerInterval,
            runsAtStart: true,
            logger: logger
        ) { try await worker.runRound() }
        logger.info(
            "channels",
            metadata: ["channels": "\(channels.map { DeliveryStore.channelName($0.kind) }.joined(separator: ","))"]
        )
        do {
            try await ServiceHost.run(
                configuration: settings,
                services: [handler],
                auth: auth,
                background: [deliveryRounds],
                stores: backend.sqlite.map { ["notification": $0] } ?? [:],
                gauges: backend.sqlite.map(DeliveryStore.gauges) ?? [],
                logger: logger
            )
        } catch {
            try? await http.shutdown()
            await backend.stop()
            throw error
        }
        try await http.shutdown()
        await backend.stop()
    }

    private func environment() -> [String: String] { ProcessInfo.processInfo.environment }
}
