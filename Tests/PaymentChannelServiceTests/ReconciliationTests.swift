import Foundation
import GRDB
import PaymentChannelService
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC
import RefundMeshStore
import RefundMeshStoreTestSupport
import Testing

@Suite("Reconciliation: query schedule, escalation, daily report, migration (R-C6)")
struct ReconciliationTests {
    @Test(
        "queries back off ×2 from the first minute up to the maximum; a restart continues; a notification brings it forward"
    )
    func backoffSchedule() async throws {
        var settings = PaymentChannelConfiguration.testing
        settings.reconcileFirstMs = 60_000
        settings.reconcileMaxMs = 240_000
        var fixture = try PaymentFixture(settings: settings, walletSettle: .seconds(86_400))
        defer { fixture.remove() }
        try await fixture.recordPayment()
        let sent = try await fixture.execute("r-b", amountFen: 1_000)
        #expect(sent.nextQueryAtMs == fixture.clock.now + 60_000)
        var gaps: [Int64] = []
        var previous = sent.nextQueryAtMs
        for round in 0..<4 {
            let due = try await fixture.refund("r-b").nextQueryAtMs ?? 0
            fixture.clock.advance(by: due - fixture.clock.now - 1)
            try await fixture.settler().settleOnce()
            #expect(try await fixture.refund("r-b").nextQueryAtMs == due, "not queried before it is due")
            fixture.clock.advance(by: 1)
            if round == 2 {
                fixture = try fixture.reopened(settings: settings)
            }
            try await fixture.settler().settleOnce()
            let next = try #require(try await fixture.refund("r-b").nextQueryAtMs)
            gaps.append(next - previous)
            previous = next
        }
        #expect(gaps == [120_000, 240_000, 240_000, 240_000])
        _ = try await fixture.payments.applyProviderStatus(
            providerRefundNo: sent.providerRefundNo,
            status: .processing,
            source: .notification,
            at: fixture.clock.now
        )
        #expect(try await fixture.refund("r-b").nextQueryAtMs == fixture.clock.now, "a notification makes it earlier")
        try await fixture.checkInvariants()
    }

    @Test(
        "a refund past its expected arrival plus grace is escalated once: alert, operators, user and intake told",
        arguments: TestBackend.all
    )
    func stuckEscalatesOnce(_ backend: TestBackend) async throws {
        var settings = PaymentChannelConfiguration.testing
        settings.stuckGraceMs = 1_000
        try await PaymentFixture.with(backend, settings: settings, walletSettle: .seconds(30 * 86_400)) { fixture in
            try await fixture.recordPayment()
            let sent = try await fixture.execute("r-s", amountFen: 1_000)
            fixture.clock.advance(by: sent.expectedArrivalMs - fixture.clock.now + 1_000)
            try await fixture.settler().settleOnce()
            #expect(try await fixture.payments.alerts(refundID: "r-s").isEmpty, "not past the grace yet")
            fixture.clock.advance(by: 1)
            for _ in 0..<3 {
                try await fixture.settler().settleOnce()
                fixture.clock.advance(by: 3_600_000)
            }
            let alerts = try await fixture.payments.alerts(refundID: "r-s")
            #expect(alerts.map(\.kind) == ["stuck"])
            let events = try await fixture.outboxEventIDs().filter { $0.hasPrefix("r-s:stuck-") }
            #expect(events.count == 3)
            let operators = try #require(events.first { $0.contains(":operators@") })
            let message = try #require(
                try await fixture.store.read { db in try Outbox.message(db, eventID: operators) }
            )
            let event = try RefundEvent(serializedBytes: message.payload)
            #expect(event.userID == "payment-operators" && event.kind == .slaEscalated)
            #expect(try await fixture.refund("r-s").escalatedAtMs != nil)
            try await fixture.checkInvariants()
        }
    }

    @Test(
        "ReconcileDay lists every kind of mismatch between our refunds and the provider's bill",
        arguments: TestBackend.all
    )
    func reconcileReport(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend, walletSettle: .seconds(86_400)) { fixture in
            try await fixture.recordPayment(amountFen: 100_000)
            // Matches: paid at once.
            var moved = SandboxChannelAdapter.Behaviour()
            moved.immediateSuccess = true
            fixture.sandbox.setBehaviour(moved, for: "RM-r-ok", times: 1)
            #expect(try await fixture.execute("r-ok", amountFen: 1_000).state == .arrived)
            // Ours SENT, never reached the provider.
            let missing = try await fixture.payments.begin(
                ExecuteRefundRequest(refundID: "r-missing", orderID: "order-1", amountFen: 1_000),
                at: fixture.clock.now
            )
            try await fixture.payments.applySubmission("r-missing", answer: .accepted(nil), at: fixture.clock.now)
            // The provider recorded another amount.
            let amount = try await fixture.payments.begin(
                ExecuteRefundRequest(refundID: "r-amount", orderID: "order-1", amountFen: 1_000),
                at: fixture.clock.now
            )
            let payment = try await fixture.payments.payment(orderID: "order-1", paymentID: "")
            _ = try await fixture.sandbox.submit(
                ChannelRefundRequest(
                    refundNo: amount.refund.providerRefundNo,
                    refundID: "r-amount",
                    amountFen: 900,
                    payment: payment
                )
            )
            try await fixture.payments.applySubmission("r-amount", answer: .accepted(nil), at: fixture.clock.now)
            // We think it arrived; the provider still processes it.
            _ = try await fixture.execute("r-state", amountFen: 1_000)
            _ = try await fixture.payments.applyProviderStatus(
                providerRefundNo: "RM-r-state",
                status: .succeeded(atMs: fixture.clock.now),
                source: .notification,
                at: fixture.clock.now
            )
            // The provider's own lines: a number we never sent, and a second payment of r-ok.
            fixture.sandbox.addBillLine(
                ProviderBillRecord(
                    refundNo: "RM-ghost",
                    amountFen: 500,
                    status: .succeeded(atMs: fixture.clock.now),
                    atMs: fixture.clock.now
                )
            )
            fixture.sandbox.addBillLine(
                ProviderBillRecord(
                    refundNo: "RM-r-ok",
                    amountFen: 994,
                    status: .succeeded(atMs: fixture.clock.now),
                    atMs: fixture.clock.now
                )
            )
            let day = RefundPolicy.default.calendar.date(at: fixture.clock.now)
            let report = try await fixture.handler.reconcileDay(
                ReconcileDayRequest(method: .wechatPay, date: "\(day)"),
                context: .test
            )
            let found = Set(report.mismatches.map { "\($0.kind)/\($0.providerRefundNo)" })
            #expect(
                found == [
                    "\(ReconciliationMismatch.Kind.missingAtProvider)/\(missing.refund.providerRefundNo)",
                    "\(ReconciliationMismatch.Kind.missingHere)/RM-ghost",
                    "\(ReconciliationMismatch.Kind.amountDiffers)/RM-r-amount",
                    "\(ReconciliationMismatch.Kind.stateDiffers)/RM-r-state",
                    "\(ReconciliationMismatch.Kind.paidTwice)/RM-r-ok",
                ],
                "\(report.mismatches)"
            )
            #expect(report.ourRefunds == 4 && report.providerRecords == 5)
            #expect(
                try await fixture.payments.trialBalance().isBalanced,
                "mismatches are reported, the books still balance"
            )
            let clean = try await fixture.handler.reconcileDay(
                ReconcileDayRequest(method: .alipay, date: "\(day)"),
                context: .test
            )
            #expect(clean.ourRefunds == 0)
            let bad = await #expect(throws: RPCError.self) {
                _ = try await fixture.handler.reconcileDay(
                    ReconcileDayRequest(method: .wechatPay, date: "26-11-2026"),
                    context: .test
                )
            }
            #expect(bad?.code == .invalidArgument)
        }
    }

    @Test(
        "migration 4 moves balance_entries/balances into the ledger, posts existing refunds, and drops the old tables"
    )
    func migrationFromBalanceTables() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("payment-channel-migration-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("payment-channel.sqlite").path
        let old = try Store(
            configuration: Store.Configuration(path: path),
            migrations: Array(PaymentStore.migrations.prefix(3)),
            logger: testLogger
        )
        try await old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO captured_payments VALUES ('p-1', 'o-1', 'u-1', 1, 50000, 1, 'm-1');
                    INSERT INTO refund_payments
                        (refund_id, payment_id, order_id, user_id, method, destination, amount_fen, fee_fen, net_fen,
                         platform_fault, state, provider_refund_no, created_at_ms, sent_at_ms, arrived_at_ms,
                         expected_arrival_ms, failure_reason, attempts)
                    VALUES
                        ('r-bal', 'p-1', 'o-1', 'u-1', 4, 2, 1000, 0, 1000, 0, 3, 'RM-r-bal', 10, 10, 10, 20, NULL, 0),
                        ('r-sent', 'p-1', 'o-1', 'u-1', 1, 1, 1000, 6, 994, 0, 2, 'RM-r-sent', 11, 11, NULL, 20, NULL, 0),
                        ('r-arr', 'p-1', 'o-1', 'u-1', 1, 1, 2000, 12, 1988, 0, 3, 'RM-r-arr', 12, 12, 13, 20, NULL, 0),
                        ('r-fail', 'p-1', 'o-1', 'u-1', 1, 1, 3000, 18, 2982, 0, 4, 'RM-r-fail', 13, 13, NULL, 20, 'x', 0);
                    INSERT INTO balance_entries (user_id, amount_fen, kind, refund_id, created_at_ms)
                        VALUES ('u-1', 1000, 'refund-credit', 'r-bal', 10);
                    INSERT INTO balances VALUES ('u-1', 1000, 10);
                    """
            )
        }
        try old.close()
        let store = try Store(
            configuration: Store.Configuration(path: path),
            migrations: PaymentStore.migrations,
            logger: testLogger
        )
        defer { try? store.close() }
        let payments = PaymentStore(store: store.database, policy: .default)
        #expect(try await payments.balance(userID: "u-1") == 1_000)
        #expect(try await payments.trialBalance().isBalanced)
        for refund in try await payments.allRefunds() {
            #expect(
                try await payments.ledgerPositions(refundID: refund.refundID)
                    == PaymentFixture.expectedPositions(refund)
            )
        }
        #expect(try await payments.refund(id: "r-sent")?.nextQueryAtMs == 0, "queried at once after the upgrade")
        let tables = try await store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        #expect(!tables.contains("balance_entries") && !tables.contains("balances"))
        let appendOnly = await #expect(throws: (any Error).self) {
            try await store.write { db in try db.execute(sql: "DELETE FROM ledger_postings") }
        }
        #expect("\(appendOnly.map { "\($0)" } ?? "")".contains("append-only"))
    }
}
