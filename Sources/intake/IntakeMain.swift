import ArgumentParser
import Foundation
import IntakeService
import Logging
import NIOCore
import NIOPosix
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshRPC
import RefundMeshStore

/// `intake`: the user-facing front of RefundMesh.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "RefundMesh intake: orders, refund requests, pre-checks, the policy and every refund's timeline.",
        discussion: """
            Settings come from flags, then the environment, then defaults:
              INTAKE_HOST (127.0.0.1), INTAKE_PORT (7001),
              INTAKE_DATA_DIR or REFUNDMESH_DATA_DIR (./data; the store is intake.sqlite),
              INTAKE_LOG_LEVEL or REFUNDMESH_LOG_LEVEL (info),
              INTAKE_LOG_FORMAT or REFUNDMESH_LOG_FORMAT (text; json: one JSON object per line),
              INTAKE_MEMORY_TRIM_SECONDS or REFUNDMESH_MEMORY_TRIM_SECONDS (10; 0 or off: never): hand freed memory back,
              REFUNDMESH_AUTH_DIR (<data dir>/auth: the key set, docs/SECURITY.md), INTAKE_AUTH_KEY_FILE (<auth dir>/intake.key),
              REFUNDMESH_AUTH_TRUST_FILE (<auth dir>/trusted-keys),
              REFUNDMESH_TLS (off; on: TLS to and from peers), INTAKE_TLS_CERT_FILE, INTAKE_TLS_KEY_FILE, REFUNDMESH_TLS_CA_FILE,
              REFUNDMESH_TLS_CLIENT_AUTH (none; require: mutual TLS) (docs/PROTOCOL.md#tls),
              INTAKE_METRICS_HOST (INTAKE_HOST), INTAKE_METRICS_PORT (9101; 0: any free port, also when the RPC port is 0; off),
              REVIEW_ADDR (127.0.0.1:7002), PAYMENT_CHANNEL_ADDR (127.0.0.1:7003), NOTIFICATION_ADDR (127.0.0.1:7004),
              and the refund policy's REFUND_* variables (see docs/CONFIGURATION.md).
            """
                + RefundPolicy.helpText
    )

    @OptionGroup var options: HostOptions

    func run() async throws {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let environment = ProcessInfo.processInfo.environment
        let settings = try options.settings(
            serviceName: "intake",
            defaultPort: 7001,
            defaultMetricsPort: 9101,
            environment: environment
        )
        let policy = try RefundPolicy(environment: environment)
        let peers = try PeerDirectory(
            peers: ["review", "payment-channel", "notification"],
            environment: environment,
            tls: settings.tls
        )
        // Every call is authenticated: no key set, no service (docs/SECURITY.md).
        let auth = try ServiceAuth(settings: settings)
        ServiceHost.bootstrap(settings)
        let logger = Logger(label: "intake")

        // The store: the SQLite file by default, or PostgreSQL shared by the replicas when
        // INTAKE_DATABASE_URL is set (docs/SCALING.md).
        let backend = try ServiceBackend(
            settings: settings,
            sqlite: IntakeStore.migrations,
            postgres: IntakeStore.postgresMigrations,
            logger: logger
        )
        try await backend.start()
        let clients = peers.clients(logger: logger, auth: auth)
        let handler = IntakeHandler(
            store: backend.database,
            policy: policy,
            payments: clients["payment-channel"].map(PaymentChannel.Client.init)
        )
        let relay = backend.relay(dispatcher: OutboxDispatcher(peers: clients, logger: logger))
        // A submission carries its materials in one frame (R-A5: 一键上传).
        var limits = RPCServer.Limits()
        limits.maxFrameBytes = max(
            limits.maxFrameBytes,
            Int(policy.maxAttachmentBytes) * policy.maxAttachments + (1 << 20)
        )
        do {
            try await ServiceHost.run(
                configuration: settings,
                services: [handler],
                auth: auth,
                background: [relay],
                limits: limits,
                stores: backend.sqlite.map { ["intake": $0] } ?? [:],
                gauges: backend.sqlite.map(IntakeStore.gauges) ?? [],
                logger: logger
            )
        } catch {
            await backend.stop()
            throw error
        }
        for client in clients.values { await client.close() }
        await backend.stop()
    }
}
