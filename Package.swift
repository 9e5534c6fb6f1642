// swift-tools-version:6.1
// RefundMesh: four refund services talking protobuf-c frames over TCP. The target list reads
// bottom-up as the architecture: C libraries → wire codec → RPC runtime → APIs → executables.
import PackageDescription

let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "RefundMesh",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RefundMeshWire", targets: ["RefundMeshWire"]),
        .library(name: "RefundMeshRPC", targets: ["RefundMeshRPC"]),
        .library(name: "RefundMeshAPI", targets: ["RefundMeshAPI"]),
        // For the libFuzzer executables in the nested package Fuzz/ (Fuzz/README.md).
        .library(name: "RefundMeshFuzzing", targets: ["RefundMeshFuzzing"]),
        // For the codec benchmarks in the nested package Benchmarks/ (Benchmarks/README.md).
        .library(name: "CRefundMeshProtos", targets: ["CRefundMeshProtos"]),
        .executable(name: "intake", targets: ["intake"]),
        .executable(name: "notification", targets: ["notification"]),
        .executable(name: "payment-channel", targets: ["payment-channel"]),
        .executable(name: "review", targets: ["review"]),
        .executable(name: "refundctl", targets: ["refundctl"]),
        .executable(name: "refund-bench", targets: ["refund-bench"]),
        .executable(name: "rpc-bench", targets: ["rpc-bench"]),
        .executable(name: "store-bench", targets: ["store-bench"]),
        .executable(name: "refundmesh-protogen", targets: ["refundmesh-protogen"]),
        .executable(name: "provider-sandbox", targets: ["provider-sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // MARK: C underneath
        .systemLibrary(
            name: "CProtobufC",
            pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"])]
        ),
        // A bump arena behind a ProtobufCAllocator, so packing and unpacking cost no per-field malloc.
        .target(name: "CProtobufCSupport", dependencies: ["CProtobufC"]),
        // protoc-c output for proto/**/*.proto (scripts/generate-protos.sh). Generated; never edited.
        .target(name: "CRefundMeshProtos", dependencies: ["CProtobufC"]),
        // protoc-c output for google/protobuf/descriptor.proto: lets the generator read descriptor sets.
        .target(name: "CProtobufDescriptor", dependencies: ["CProtobufC"]),

        // MARK: Wire: the only hand-written Swift that touches C pointers
        .target(
            name: "RefundMeshWire",
            dependencies: [
                "CProtobufC", "CProtobufCSupport", "CRefundMeshProtos",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swift6
        ),

        // MARK: Tracing: the trace id that follows a refund's work through calls, outboxes and logs
        .target(
            name: "RefundMeshTracing",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swift6
        ),

        // MARK: RPC runtime: server, client, status, deadlines, health, discovery
        .target(
            name: "RefundMeshRPC",
            dependencies: [
                "RefundMeshWire", "CRefundMeshProtos", "RefundMeshTracing",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),

        // MARK: Auth: who is calling (Ed25519-signed JWTs), and what each method allows (docs/SECURITY.md)
        .target(
            name: "RefundMeshAuth",
            dependencies: [
                "RefundMeshRPC",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),

        // MARK: Store: SQLite (GRDB), migrations, transactional outbox, idempotent receipt
        .target(
            name: "RefundMeshStore",
            dependencies: [
                "RefundMeshTracing",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API GRDB is built on, for what GRDB does not expose (memory in use).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),
        // PostgreSQL, the store for deployments beyond one machine (docs/SCALING.md): migrations
        // and an outbox that several replicas share with FOR UPDATE SKIP LOCKED.
        .target(
            name: "RefundMeshPostgres",
            dependencies: [
                "RefundMeshStore", "RefundMeshTracing",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                // Reading a SQLite store's rows when moving it to PostgreSQL.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),

        // MARK: APIs: generated Swift for proto packages outside the runtime
        // R-R9 evidence: canonical records, the SHA-256 chain, RFC 6962 proofs, signed checkpoints.
        // Pure Swift over swift-crypto, so refundctl and auditors' tools verify without the store.
        .target(
            name: "RefundMeshEvidence",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swift6
        ),
        // The refund domain's messages and the four services' stubs (proto/refundmesh/{refund,intake,review,payment,notification}),
        // and the evidence messages' conversions to RefundMeshEvidence's types.
        .target(
            name: "RefundMeshAPI",
            dependencies: [
                "RefundMeshWire", "RefundMeshRPC", "RefundMeshAuth", "CRefundMeshProtos", "RefundMeshEvidence",
            ],
            swiftSettings: swift6
        ),
        // Pure refund rules (DOMAIN.md R-…): no NIO, no Foundation, no store.
        .target(name: "RefundMeshDomain", dependencies: ["RefundMeshAPI"], swiftSettings: swift6),
        .target(
            name: "RPCBenchAPI",
            dependencies: ["RefundMeshWire", "RefundMeshRPC", "CRefundMeshProtos"],
            path: "Sources/RPCBenchAPI",
            swiftSettings: swift6
        ),

        // MARK: Providers: everything on the wire to outside parties (WeChat Pay v3, Alipay, bank, game operator):
        // Codable shapes, signing both halves, AES-256-GCM notifications, keys, clients (docs/PROVIDERS.md).
        .target(
            name: "RefundMeshProviders",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),

        // MARK: Services: hosting, domain logic and handlers (no NIO in the domain), executables
        .target(
            name: "RefundMeshHosting",
            dependencies: [
                "RefundMeshRPC", "RefundMeshWire", "RefundMeshStore", "RefundMeshTracing", "RefundMeshAuth",
                "RefundMeshAPI", "RefundMeshPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // TLSMaterial: a CA and per-service certificates for tests, local runs and compose.
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swift6
        ),
        .target(
            name: "IntakeService",
            dependencies: [
                "RefundMeshAPI", "RefundMeshRPC", "RefundMeshStore", "RefundMeshPostgres", "RefundMeshDomain",
                "RefundMeshHosting",
                "RefundMeshWire",
                // EvidenceHex: refund ids, request digests and attachment hashes in lower-case hex.
                "RefundMeshEvidence",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "intake",
            dependencies: [
                "IntakeService", "RefundMeshHosting", "RefundMeshStore", "RefundMeshDomain", "RefundMeshAPI",
                "RefundMeshRPC",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swift6
        ),
        .target(
            name: "NotificationService",
            dependencies: [
                "RefundMeshAPI", "RefundMeshRPC", "RefundMeshStore", "RefundMeshPostgres", "RefundMeshHosting",
                "RefundMeshDomain",
                "RefundMeshWire",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),
        // notification's outside channels (R-N2): webhook and SMS over AsyncHTTPClient, e-mail over
        // a small SMTP client on SwiftNIO. Kept out of NotificationService so the domain stays NIO-free.
        .target(
            name: "NotificationChannels",
            dependencies: [
                "NotificationService", "RefundMeshAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "notification",
            dependencies: [
                "NotificationService", "NotificationChannels", "RefundMeshHosting", "RefundMeshStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swift6
        ),
        // review: decides refunds from the records (R-R1 … R-R3, R-R5) or queues them for a person.
        .target(
            name: "ReviewService",
            dependencies: [
                "RefundMeshAuth",
                "RefundMeshAPI", "RefundMeshRPC", "RefundMeshStore", "RefundMeshDomain", "RefundMeshHosting",
                "RefundMeshEvidence", "RefundMeshWire",
                "RefundMeshProviders", "RefundMeshPostgres",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "review",
            dependencies: [
                "ReviewService", "RefundMeshHosting", "RefundMeshStore", "RefundMeshAPI", "RefundMeshDomain",
                "RefundMeshEvidence",
                "RefundMeshProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),

        // payment-channel: pays approved refunds back the way the money came (R-C1), once per refund id (R-C5).
        .target(
            name: "PaymentChannelService",
            dependencies: [
                "RefundMeshAPI", "RefundMeshRPC", "RefundMeshStore", "RefundMeshPostgres", "RefundMeshDomain",
                "RefundMeshHosting",
                "RefundMeshProviders", "RefundMeshTracing",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),
        // payment-channel's HTTP endpoint for providers' asynchronous notifications (R-C9): Hummingbird
        // kept out of the domain module; verification and shapes come from RefundMeshProviders.
        .target(
            name: "PaymentChannelNotifications",
            dependencies: [
                "PaymentChannelService", "RefundMeshProviders", "RefundMeshHosting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "payment-channel",
            dependencies: [
                "PaymentChannelService", "RefundMeshDomain", "RefundMeshHosting", "RefundMeshStore",
                "PaymentChannelNotifications", "RefundMeshProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),

        // MARK: Provider sandbox: WeChat Pay, Alipay, a bank, a game operator and an SMS provider over HTTP
        .target(
            name: "ProviderSandbox",
            dependencies: [
                "RefundMeshStore", "RefundMeshHosting", "RefundMeshProviders",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "provider-sandbox",
            dependencies: [
                "ProviderSandbox", "RefundMeshHosting", "RefundMeshProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swift6
        ),

        // MARK: Tools
        .executableTarget(
            name: "refundmesh-protogen",
            dependencies: [
                "CProtobufC", "CProtobufDescriptor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "refundctl",
            dependencies: [
                "RefundMeshAPI", "RefundMeshRPC", "RefundMeshEvidence", "RefundMeshAuth",
                // TLS settings and certificates (`keys init --tls`), as the services read them.
                "RefundMeshHosting",
                // `store import`: each service's migrations on both engines.
                "RefundMeshStore", "RefundMeshPostgres", "IntakeService", "ReviewService", "PaymentChannelService",
                "NotificationService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "refund-bench",
            dependencies: [
                "RefundMeshAPI", "RefundMeshRPC", "RefundMeshAuth",
                // --soak reads and scripts the sandbox through its control API.
                "ProviderSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "store-bench",
            dependencies: [
                "RefundMeshStore", "RefundMeshPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "rpc-bench",
            dependencies: [
                "RefundMeshWire", "RefundMeshRPC", "RPCBenchAPI", "RefundMeshAuth", "RefundMeshTracing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),

        // MARK: Fuzzing: the wire layer's fuzz targets; Fuzz/ builds them with libFuzzer, and
        // RefundMeshWireTests replays the corpus and past crashes through them.
        .target(
            name: "RefundMeshFuzzing",
            dependencies: [
                "RefundMeshWire", "RefundMeshAPI", "RefundMeshTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swift6
        ),

        // MARK: Tests
        .target(
            name: "RefundMeshTestSupport",
            dependencies: [
                "RefundMeshWire", "RefundMeshRPC", "CRefundMeshProtos",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RefundMeshTestSupport",
            swiftSettings: swift6
        ),
        // Runs a service's store tests on each engine: SQLite, and PostgreSQL when a server is set.
        .target(
            name: "RefundMeshStoreTestSupport",
            dependencies: [
                "RefundMeshStore", "RefundMeshPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/RefundMeshStoreTestSupport",
            swiftSettings: swift6
        ),
        .testTarget(
            name: "RefundMeshWireTests",
            dependencies: [
                "RefundMeshWire", "RefundMeshTestSupport", "CRefundMeshProtos", "CProtobufC", "RefundMeshFuzzing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "RefundMeshRPCTests",
            dependencies: [
                "RefundMeshRPC", "RefundMeshWire", "RefundMeshTestSupport",
                // TLS tests make their certificates with TLSMaterial.
                "RefundMeshHosting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "RefundMeshHostingTests",
            dependencies: [
                "RefundMeshHosting", "RefundMeshRPC", "RefundMeshAPI", "RefundMeshStore", "RefundMeshTestSupport",
                "RefundMeshTracing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "RefundMeshStoreTests",
            dependencies: ["RefundMeshStore", "RefundMeshTracing"],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "RefundMeshPostgresTests",
            dependencies: [
                "RefundMeshPostgres", "RefundMeshStore", "RefundMeshStoreTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swift6
        ),
        // Starts the real executables (the dependency makes SwiftPM build them first).
        .testTarget(
            name: "PaymentChannelServiceTests",
            dependencies: [
                "PaymentChannelService", "RefundMeshStoreTestSupport", "RefundMeshAPI", "RefundMeshDomain",
                "RefundMeshRPC", "RefundMeshStore",
                "RefundMeshWire",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),
        // The real channel adapters and payment-channel's notification endpoint against provider-sandbox
        // started in process (real HTTP, real SQLite).
        .testTarget(
            name: "PaymentChannelAdapterTests",
            dependencies: [
                "PaymentChannelService", "PaymentChannelNotifications", "ProviderSandbox", "RefundMeshProviders",
                "RefundMeshAPI", "RefundMeshDomain", "RefundMeshStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "MeshTests",
            dependencies: [
                "notification", "refund-bench", "refundctl", "intake", "review", "payment-channel", "RefundMeshAPI",
                "provider-sandbox",
                "RefundMeshRPC", "RefundMeshDomain", "RefundMeshAuth", "RefundMeshWire", "RefundMeshTestSupport",
                // The whole-mesh money tests script the real provider sandbox through its control API.
                "ProviderSandbox", "RefundMeshProviders",
                // Replicas on PostgreSQL (ReplicaMeshTests).
                "RefundMeshPostgres", "RefundMeshStore", "RefundMeshStoreTestSupport",
                // WatchRefund's in-process feed (RefundFeedTests).
                "IntakeService",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "RefundMeshAuthTests",
            dependencies: ["RefundMeshAuth", "RefundMeshAPI", "RefundMeshRPC", "RefundMeshTestSupport"],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "ReviewServiceTests",
            dependencies: [
                "ReviewService", "RefundMeshAPI", "RefundMeshRPC", "RefundMeshStore", "RefundMeshDomain",
                "RefundMeshHosting", "RefundMeshTestSupport", "RefundMeshStoreTestSupport", "RefundMeshEvidence",
                "RefundMeshProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),
        // notification's channels against real receivers (aiosmtpd, HTTP servers in the test).
        .testTarget(
            name: "NotificationServiceTests",
            dependencies: [
                "NotificationService", "RefundMeshStoreTestSupport", "NotificationChannels", "RefundMeshAPI",
                "RefundMeshRPC", "RefundMeshStore",
                "RefundMeshHosting", "RefundMeshTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Support/smtp_sink.py"],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "RefundMeshProvidersTests",
            dependencies: [
                "RefundMeshProviders", "RefundMeshTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "RefundMeshEvidenceTests",
            dependencies: ["RefundMeshEvidence"],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "RefundMeshDomainTests",
            dependencies: ["RefundMeshDomain", "RefundMeshAPI"],
            swiftSettings: swift6
        ),
        // Starts the sandbox in-process and as the real `provider-sandbox` executable.
        .testTarget(
            name: "ProviderSandboxTests",
            dependencies: [
                "ProviderSandbox", "provider-sandbox", "RefundMeshProviders",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "ProtogenTests",
            dependencies: ["refundmesh-protogen"],
            swiftSettings: swift6
        ),
    ]
)
