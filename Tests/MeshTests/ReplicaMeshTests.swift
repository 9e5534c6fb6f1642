import Foundation
import Logging
import RefundMeshPostgres
import RefundMeshStore
import RefundMeshStoreTestSupport
import Testing

/// Replicas cooperating through PostgreSQL (docs/SCALING.md): two each of review and
/// payment-channel, each pair on one database, behind the callers' round-robin; one of each is
/// killed (SIGKILL) midway through a batch of refunds.
@Suite(
    "Replicas on PostgreSQL: review ×2 and payment-channel ×2, one of each killed midway",
    .enabled(if: TestBackend.postgresURL != nil, "needs REFUNDMESH_TEST_POSTGRES_URL (scripts/test.sh starts a server)")
)
struct ReplicaMeshTests {
    static let logger: Logger = {
        var logger = Logger(label: "replica-mesh")
        logger.logLevel = .error
        return logger
    }()

    @Test(
        "every refund reaches MONEY_ARRIVED once, none paid twice, the ledger balances, both replicas of each did outbox work"
    )
    func replicasShareTheWorkAndSurviveAKill() async throws {
        try await TestBackend.withPostgresDatabaseURL { reviewURL in
            try await TestBackend.withPostgresDatabaseURL { paymentURL in
                try await run(reviewURL: reviewURL, paymentURL: paymentURL)
            }
        }
    }

    private func run(reviewURL: String, paymentURL: String) async throws {
        let reviewPorts = [try Mesh.freePort(), try Mesh.freePort()]
        let paymentPorts = [try Mesh.freePort(), try Mesh.freePort()]
        let mesh = try Mesh(extraEnvironment: [
            "REVIEW_ADDR": reviewPorts.map { "127.0.0.1:\($0)" }.joined(separator: ","),
            "PAYMENT_CHANNEL_ADDR": paymentPorts.map { "127.0.0.1:\($0)" }.joined(separator: ","),
            "PAYMENT_SANDBOX_SETTLE_MILLIS": "20",
            // A killed replica's claims are taken over after 3 s instead of 30.
            "REVIEW_OUTBOX_LEASE_MS": "3000",
            "PAYMENT_CHANNEL_OUTBOX_LEASE_MS": "3000",
            "REVIEW_RETRY_INTERVAL_MS": "500",
        ])
        func replica(_ name: String, _ index: Int) throws -> ServiceProcess {
            try ServiceProcess(name, dataDirectory: mesh.root.appendingPathComponent("\(name)-\(index)"))
        }
        let reviews = [try replica("review", 1), try replica("review", 2)]
        let payments = [try replica("payment-channel", 1), try replica("payment-channel", 2)]
        try await mesh.start("notification")
        for (index, process) in payments.enumerated() {
            var environment = mesh.environment
            environment["PAYMENT_CHANNEL_DATABASE_URL"] = paymentURL
            environment["PAYMENT_CHANNEL_REPLICA_NAME"] = "payment-channel-\(index + 1)"
            try await process.start(port: paymentPorts[index], environment: environment)
        }
        for (index, process) in reviews.enumerated() {
            var environment = mesh.environment
            environment["REVIEW_DATABASE_URL"] = reviewURL
            environment["REVIEW_REPLICA_NAME"] = "review-\(index + 1)"
            try await process.start(port: reviewPorts[index], environment: environment)
        }
        try await mesh.start("intake")

        let reviewStore = PostgresStore(configuration: try .init(url: reviewURL), logger: Self.logger)
        let paymentStore = PostgresStore(configuration: try .init(url: paymentURL), logger: Self.logger)
        try await TestBackend.running([reviewStore, paymentStore]) {
            let refunds = 60
            let bench = Task {
                try await runProcess(
                    ServiceProcess.productsDirectory.appendingPathComponent("refund-bench").path,
                    [
                        "--refunds", "\(refunds)", "--concurrency", "6", "--json",
                        "--intake", "127.0.0.1:\(mesh.ports["intake"]!)",
                        "--payment-channel", "127.0.0.1:\(paymentPorts[0])",
                    ]
                )
            }
            // Midway: once a third of the cases exist, the second replica of each dies without
            // a chance to clean up (claims, leases and transactions in flight are left behind).
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                let cases = try await Self.count(reviewStore, "SELECT COUNT(*) FROM review_cases")
                if cases >= refunds / 3 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await reviews[1].kill()
            try await payments[1].kill()

            let (status, output) = try await bench.value
            #expect(status == 0, "\(output)")
            // refund-bench follows every refund to MONEY_ARRIVED and counts those that did not get there.
            #expect(output.contains("\"refunds\":\(refunds),\"failed\":0"), "\(output)")

            // Each case once, each decided.
            #expect(try await Self.count(reviewStore, "SELECT COUNT(*) FROM review_cases") == refunds)
            #expect(
                try await Self.count(reviewStore, "SELECT COUNT(*) FROM review_cases WHERE outcome = 'approved'")
                    == refunds
            )
            // Paid once: one refund payment and one balance credit per refund, none twice, and
            // the double-entry ledger sums to zero (R-C4, R-C5).
            #expect(try await Self.count(paymentStore, "SELECT COUNT(*) FROM refund_payments") == refunds)
            #expect(
                try await Self.count(
                    paymentStore,
                    "SELECT COUNT(*) FROM ledger_entries WHERE movement = 'to-balance'"
                ) == refunds
            )
            #expect(
                try await Self.count(
                    paymentStore,
                    """
                    SELECT COUNT(*) FROM (
                        SELECT refund_id FROM ledger_entries WHERE movement = 'to-balance'
                        GROUP BY refund_id HAVING COUNT(*) > 1
                    ) AS twice
                    """
                ) == 0
            )
            #expect(try await Self.count(paymentStore, "SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_postings") == 0)

            // The outboxes drain (the killed replicas' claims expire and the survivors deliver
            // them), and both replicas of each service delivered part of the messages.
            for store in [reviewStore, paymentStore] {
                let drained = ContinuousClock.now + .seconds(60)
                while try await Self.count(store, "SELECT COUNT(*) FROM outbox_messages WHERE delivered_at IS NULL")
                    > 0,
                    ContinuousClock.now < drained
                {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let reviewSplit = try await Self.deliveredBy(reviewStore)
            let paymentSplit = try await Self.deliveredBy(paymentStore)
            print("replica-mesh outbox deliveries: review \(reviewSplit), payment-channel \(paymentSplit)")
            #expect(
                try await Self.count(reviewStore, "SELECT COUNT(*) FROM outbox_messages WHERE delivered_at IS NULL")
                    == 0
            )
            #expect(
                try await Self.count(paymentStore, "SELECT COUNT(*) FROM outbox_messages WHERE delivered_at IS NULL")
                    == 0
            )
            #expect((reviewSplit["review-1"] ?? 0) > 0 && (reviewSplit["review-2"] ?? 0) > 0, "\(reviewSplit)")
            #expect(
                (paymentSplit["payment-channel-1"] ?? 0) > 0 && (paymentSplit["payment-channel-2"] ?? 0) > 0,
                "\(paymentSplit)"
            )
        }
        #expect(try await reviews[0].stop() == 0)
        #expect(try await payments[0].stop() == 0)
        _ = try await mesh.stop()
    }

    static func count(_ store: PostgresStore, _ sql: String) async throws -> Int64 {
        try await store.read { db in try db.value(Int64.self, sql) ?? 0 }
    }

    /// Delivered outbox messages by the replica that delivered them.
    static func deliveredBy(_ store: PostgresStore) async throws -> [String: Int] {
        try await store.read { db in
            let rows = try db.rows(
                "SELECT claimed_by, COUNT(*) AS n FROM outbox_messages WHERE delivered_at IS NOT NULL GROUP BY claimed_by"
            )
            return Dictionary(
                uniqueKeysWithValues: try rows.map { (try $0["claimed_by"] as String? ?? "?", try $0["n"] as Int) }
            )
        }
    }
}
