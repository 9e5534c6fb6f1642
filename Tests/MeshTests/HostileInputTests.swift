import Foundation
import GRDB
import RefundMeshAPI
import RefundMeshAuth
import RefundMeshRPC
import Testing

/// Hostile domain input against the real executables over TCP (docs/VALIDATION.md): negative and
/// overflowing amounts, amounts above what was paid, enum numbers no schema names, forged ids and
/// other users' ids, huge and malicious attachments and texts, idempotency keys replayed with other
/// parameters, times in the future. Each case expects its status and a word of its message; after
/// all of a service's cases it still answers health checks SERVING, its tables hold exactly the rows
/// they held before (nothing was stored), and after a clean stop its SQLite files pass
/// `PRAGMA integrity_check`.
///
/// The cases are in `HostileInputTests+<Service>.swift`; every client is made here, by
/// ``hostileClient(_:)``.
@Suite("hostile input (real processes)")
struct HostileInputTests {
    /// The one place this suite makes clients: calls that need credentials get them here.
    static func hostileClient(_ service: ServiceProcess) -> RPCClient {
        service.client()
    }

    /// Options of a call made with `user`'s token, whatever user the request names: an attacker
    /// signed in as themself.
    static func signedIn(_ user: String) -> CallOptions {
        let token = try! TestKeys.minter.token(subject: user, role: .user, audience: AccessToken.anyService)
        return CallOptions(metadata: ["authorization": "Bearer " + token])
    }

    @Test("intake refuses hostile orders, refunds, materials and status updates, and stores nothing")
    func intake() async throws {
        let peers = IntakeTestPeers()
        try await withTestPeerServer(peers.services) { peerPort in
            let address = "127.0.0.1:\(peerPort)"
            try await Self.attack(
                "intake",
                environment: ["REVIEW_ADDR": address, "PAYMENT_CHANNEL_ADDR": address, "NOTIFICATION_ADDR": address],
                tables: [
                    "orders", "refunds", "timeline", "withdrawals", "attachments", "refund_attachments",
                    "outbox_messages", "processed_events",
                ]
            ) { client in
                try await Self.intakeCases(Intake.Client(client), peers: peers)
            }
        }
    }

    @Test("review refuses hostile facts, cases, materials and decisions, and stores nothing")
    func review() async throws {
        let received = ReviewServiceTests.Received()
        let peers: [any RPCService] = [
            ReviewServiceTests.FakeIntake(received: received),
            ReviewServiceTests.FakePaymentChannel(received: received, payments: [:]),
            ReviewServiceTests.FakeNotification(received: received),
        ]
        try await withTestPeerServer(peers) { peerPort in
            let address = "127.0.0.1:\(peerPort)"
            try await Self.attack(
                "review",
                environment: ["INTAKE_ADDR": address, "PAYMENT_CHANNEL_ADDR": address, "NOTIFICATION_ADDR": address],
                tables: [
                    "fulfillment_facts", "review_cases", "case_materials", "evidence_log", "outbox_messages",
                    "processed_events",
                ]
            ) { client in
                try await Self.reviewCases(Review.Client(client))
            }
        }
    }

    @Test("payment-channel refuses hostile payments, quotes and refunds (R-C5 without overflow), and stores nothing")
    func paymentChannel() async throws {
        try await PaymentChannelServiceTests().withPeers { _, peerPort in
            try await Self.attack(
                "payment-channel",
                environment: PaymentChannelServiceTests.environment(peerPort: peerPort),
                tables: [
                    "captured_payments", "refund_payments", "ledger_entries", "ledger_postings", "payment_alerts",
                    "outbox_messages", "processed_events",
                ]
            ) { client in
                try await Self.paymentChannelCases(PaymentChannel.Client(client))
            }
        }
    }

    @Test("notification refuses hostile events, ids and preferences, and stores nothing")
    func notification() async throws {
        try await Self.attack(
            "notification",
            environment: [:],
            tables: [
                "inbox_items", "deliveries", "delivery_attempts", "channel_preferences", "outbox_messages",
                "processed_events",
            ]
        ) { client in
            try await Self.notificationCases(RefundMeshAPI.Notification.Client(client))
        }
    }

    // MARK: The harness

    /// Starts `name`, lets `cases` seed what the attack needs and return the cases, then runs
    /// them and checks the service: SERVING, `tables` unchanged, a clean stop, intact stores.
    static func attack(
        _ name: String,
        environment: [String: String],
        tables: [String],
        cases: (RPCClient) async throws -> [HostileCase]
    ) async throws {
        let service = try ServiceProcess(name)
        try await service.start(environment: environment)
        let client = hostileClient(service)
        let attack = try await cases(client)
        let store = service.dataDirectory.appendingPathComponent("\(name).sqlite").path
        let before = try rowCounts(store, tables)

        for hostile in attack { await hostile.expectRefused() }

        let health = try await RefundMeshRPC.Health.Client(client).check(HealthCheckRequest())
        #expect(health.status == .serving, "\(name) still answers health checks after \(attack.count) hostile calls")
        let after = try rowCounts(store, tables)
        #expect(after == before, "\(name): the refused calls stored nothing")
        await client.close()
        #expect(try await service.stop() == 0, "SIGTERM ends \(name) cleanly")
        try expectIntact(service.dataDirectory)
    }

    /// Rows per table, read beside the running service (WAL lets a reader in).
    static func rowCounts(_ path: String, _ tables: [String]) throws -> [String: Int] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            var counts: [String: Int] = [:]
            for table in tables {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1
            }
            return counts
        }
    }

    /// `PRAGMA integrity_check` of every SQLite file the stopped service left, opened read-only.
    static func expectIntact(_ directory: URL) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".sqlite")
        }
        #expect(!files.isEmpty, "the service left its store in \(directory.path)")
        for file in files {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(
                path: directory.appendingPathComponent(file).path,
                configuration: configuration
            )
            let result = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            try queue.close()
            #expect(result == ["ok"], "\(file): \(result)")
        }
    }
}

/// One hostile call and what it must get.
struct HostileCase: Sendable {
    let name: String
    /// The status it must fail with.
    let expected: StatusCode
    /// A word the message must contain: the field or id a person acts on.
    let word: String
    /// Text the message must not contain: another user's id or data.
    let hides: String?
    let call: @Sendable () async throws -> Void

    init(
        _ name: String,
        _ expected: StatusCode,
        _ word: String,
        hides: String? = nil,
        _ call: @escaping @Sendable () async throws -> Void
    ) {
        self.name = name
        self.expected = expected
        self.word = word
        self.hides = hides
        self.call = call
    }

    /// Makes the call; records an issue unless it fails as expected.
    func expectRefused() async {
        do {
            try await call()
            Issue.record("\(name): accepted; expected \(expected)")
        } catch let error as RPCError {
            #expect(error.code == expected, "\(name): \(error)")
            #expect(error.message.contains(word), "\(name): '\(word)' not in: \(error.message)")
            if let hides { #expect(!error.message.contains(hides), "\(name) reveals \(hides): \(error.message)") }
        } catch {
            Issue.record("\(name): \(error)")
        }
    }
}
