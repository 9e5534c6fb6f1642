import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshEvidence
import RefundMeshHosting
import RefundMeshProviders
import RefundMeshStore
import ReviewService
import ServiceLifecycle

/// `review`: the RefundMesh review service (R-R1 … R-R10).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "RefundMesh review service: decides refunds from the records, or queues them for a person.",
        discussion: """
            Settings come from flags, then the environment, then defaults:
              REVIEW_HOST (127.0.0.1), REVIEW_PORT (7002),
              REVIEW_DATA_DIR or REFUNDMESH_DATA_DIR (./data; the store is review.sqlite),
              REVIEW_LOG_LEVEL or REFUNDMESH_LOG_LEVEL (info),
              REVIEW_LOG_FORMAT or REFUNDMESH_LOG_FORMAT (text; json: one JSON object per line),
              REVIEW_MEMORY_TRIM_SECONDS or REFUNDMESH_MEMORY_TRIM_SECONDS (10; 0 or off: never): hand freed memory back,
              REFUNDMESH_AUTH_DIR (<data dir>/auth: the key set, docs/SECURITY.md), REVIEW_AUTH_KEY_FILE (<auth dir>/review.key),
              REFUNDMESH_AUTH_TRUST_FILE (<auth dir>/trusted-keys),
              REFUNDMESH_TLS (off; on: TLS to and from peers), REVIEW_TLS_CERT_FILE, REVIEW_TLS_KEY_FILE, REFUNDMESH_TLS_CA_FILE,
              REFUNDMESH_TLS_CLIENT_AUTH (none; require: mutual TLS) (docs/PROTOCOL.md#tls),
              REVIEW_METRICS_HOST (REVIEW_HOST), REVIEW_METRICS_PORT (9102; 0: any free port, also when the RPC port is 0; off),
              INTAKE_ADDR (127.0.0.1:7001), PAYMENT_CHANNEL_ADDR (127.0.0.1:7003),
              NOTIFICATION_ADDR (127.0.0.1:7004),
              REVIEW_OPERATOR_SANDBOX (unknown | credited | failed; default unknown; used when OPERATOR_BASE_URL is unset),
              OPERATOR_BASE_URL, OPERATOR_CLIENT_ID, OPERATOR_HMAC_KEY_FILE, OPERATOR_TIMEOUT_MS (5000),
              OPERATOR_CLOCK_SKEW_MS (300000): the game operator's recharge API (R-R2; docs/PROVIDERS.md),
              REVIEW_RETRY_INTERVAL_MS (30000), REVIEW_PAYMENTS_TIMEOUT_MS (3000),
              REVIEW_PAYMENTS_REUSE_MS (10000),
              REVIEW_SLA_AUTOMATIC_MS (600000), REVIEW_SLA_MANUAL_WORKING_DAYS (3) or REVIEW_SLA_MANUAL_MS,
              REVIEW_SLA_WARNING_MS (14400000), REVIEW_SLA_SCAN_INTERVAL_MS (30000),
              REVIEW_LARGE_AMOUNT_FEN (50000), REVIEW_CLAIM_TTL_MS (900000),
              REVIEW_ESCALATION_RECIPIENT (review-supervisors), REVIEW_RISK_* (docs/REVIEW.md: REVIEW_RISK_THRESHOLD, REVIEW_RISK_REFUND_COUNT,
              REVIEW_RISK_REFUND_WINDOW_DAYS, REVIEW_RISK_AMOUNT_MULTIPLE, REVIEW_RISK_AMOUNT_MIN_ORDERS,
              REVIEW_RISK_FIRST_PURCHASE_FEN, REVIEW_RISK_WEIGHT_<SIGNAL>),
              REVIEW_EVIDENCE_KEY_FILE (<data dir>/evidence-signing.key, created when absent),
              REVIEW_EVIDENCE_CHECKPOINT_INTERVAL_MS (60000),
              REVIEW_EVIDENCE_HEAD_FILE (<data dir>/evidence-head.json; docs/EVIDENCE.md),
              REFUND_HOLIDAYS / REFUND_MAKEUP_WORKDAYS / REFUND_UTC_OFFSET_MINUTES (the working-day calendar,
              shared with intake's policy).
            """
                + RefundPolicy.helpText
    )

    @OptionGroup var options: HostOptions

    func run() async throws {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let environment = ProcessInfo.processInfo.environment
        var settings = try options.settings(
            serviceName: "review",
            defaultPort: 7002,
            defaultMetricsPort: 9102,
            environment: environment
        )
        settings.synchronousFull = true  // decisions lead to money moving: a commit must survive power loss
        let review = try ReviewConfiguration(environment: environment)
        let policy = try RefundPolicy(environment: environment)
        let risk = try RiskConfiguration(environment: environment)
        let peers = try PeerDirectory(
            peers: [CaseMessages.intake, CaseMessages.paymentChannel, CaseMessages.notification],
            environment: environment,
            tls: settings.tls
        )
        let operatorConfiguration =
            environment["OPERATOR_BASE_URL"] != nil ? try GameOperatorConfiguration(environment: environment) : nil
        // Every call is authenticated: no key set, no service (docs/SECURITY.md).
        let auth = try ServiceAuth(settings: settings)
        ServiceHost.bootstrap(settings)
        let logger = Logger(label: "review")

        // The store: the SQLite file by default, or PostgreSQL shared by the replicas when
        // REVIEW_DATABASE_URL is set (docs/SCALING.md).
        let backend = try ServiceBackend(
            settings: settings,
            sqlite: ReviewStore.migrations,
            postgres: ReviewStore.postgresMigrations,
            logger: logger
        )
        let signer = try EvidenceSigner.loadOrCreate(
            keyFile: review.evidenceKeyFile ?? settings.dataDirectory + "/evidence-signing.key"
        )
        logger.info(
            "evidence checkpoints are signed with Ed25519",
            metadata: ["evidence.public_key": "\(signer.publicKeyHex)"]
        )
        let clients = peers.clients(logger: logger, auth: auth)
        // R-R2: ask the real (or sandbox) game operator over HTTP when one is configured.
        let operatorHTTPClient = operatorConfiguration.map { _ in HTTPClient(eventLoopGroupProvider: .singleton) }
        let operatorAdapter: any OperatorAdapter
        if let operatorConfiguration, let operatorHTTPClient {
            operatorAdapter = HTTPOperatorAdapter(
                client: GameOperatorClient(
                    configuration: operatorConfiguration,
                    httpClient: operatorHTTPClient,
                    logger: logger
                )
            )
            logger.info(
                "asking the game operator over HTTP (R-R2)",
                metadata: ["operator.url": "\(operatorConfiguration.baseURL)"]
            )
        } else {
            operatorAdapter = SandboxOperatorAdapter(answer: review.operatorSandbox)
        }
        let handler = ReviewHandler(
            store: backend.database,
            payments: PaymentChannelRecords(
                client: PaymentChannel.Client(clients[CaseMessages.paymentChannel]!),
                timeout: review.paymentsTimeout
            ),
            operatorAdapter: operatorAdapter,
            configuration: review,
            calendar: policy.calendar,
            riskScorer: RiskScorer(configuration: risk),
            evidenceSigner: signer
        )
        let dispatcher = OutboxDispatcher(peers: clients, logger: logger)
        let relay = backend.relay(dispatcher: dispatcher)
        // R-R2 "retried", R-R3: decide again the cases that wait for records.
        let retry = PeriodicTask("retrying waiting cases", every: review.retryInterval, logger: logger) {
            let decided = try await handler.retryAwaitingCases()
            if decided > 0 { logger.info("waiting cases decided on retry", metadata: ["review.decided": "\(decided)"]) }
        }
        // R-R4: warn of cases due soon, escalate breaches.
        let monitor = PeriodicTask("checking SLAs", every: review.slaScanInterval, runsAtStart: true, logger: logger) {
            let escalated = try await handler.escalateDueCases()
            if escalated > 0 {
                logger.notice("SLA escalations sent (R-R4)", metadata: ["review.escalated": "\(escalated)"])
            }
        }
        let checkpointer = EvidenceCheckpointer(
            handler: handler,
            interval: review.evidenceCheckpointInterval,
            headFile: review.evidenceHeadFile ?? settings.dataDirectory + "/evidence-head.json",
            logger: logger
        )
        do {
            try await backend.start()
            try await ServiceHost.run(
                configuration: settings,
                services: [handler],
                auth: auth,
                background: [relay, retry, monitor, checkpointer],
                stores: backend.sqlite.map { ["review": $0] } ?? [:],
                gauges: backend.sqlite.map(ReviewStore.gauges) ?? [],
                logger: logger
            )
        } catch {
            try? await operatorHTTPClient?.shutdown()  // an HTTPClient must be shut down before it is released
            await backend.stop()
            throw error
        }
        for client in clients.values { await client.close() }
        try await operatorHTTPClient?.shutdown()
        await backend.stop()
    }
}
