import Foundation
import Logging
import RefundMeshAPI
import RefundMeshPostgres
import RefundMeshRPC
import RefundMeshStore
import RefundMeshStoreTestSupport
import Testing

/// Moving a running SQLite deployment to PostgreSQL (docs/SCALING.md): the mesh stops, each
/// service's store is copied with `refundctl store import`, and the mesh starts again on
/// PostgreSQL and goes on where it stopped.
@Suite(
    "SQLite → PostgreSQL: refundctl store import, and the mesh goes on where it stopped",
    .enabled(if: TestBackend.postgresURL != nil, "needs REFUNDMESH_TEST_POSTGRES_URL (scripts/test.sh starts a server)")
)
struct StoreMigrationMeshTests {
    typealias Platform = MeshStoryTests.Platform

    @Test(
        "refunds arrived, rejected, offered, under review, withdrawn and with money on its way move over; each goes on"
    )
    func refundsInEveryStateMoveOver() async throws {
        try await TestBackend.withPostgresDatabaseURL { intake in
            try await TestBackend.withPostgresDatabaseURL { review in
                try await TestBackend.withPostgresDatabaseURL { payments in
                    try await TestBackend.withPostgresDatabaseURL { notification in
                        try await run(
                            urls: [
                                "intake": intake, "review": review, "payment-channel": payments,
                                "notification": notification,
                            ]
                        )
                    }
                }
            }
        }
    }

    private func run(urls: [String: String]) async throws {
        // Wallets settle after 1.5 s, bank cards after 4.5 s: a bank card refund is still on its
        // way when the mesh stops.
        let mesh = try Mesh(extraEnvironment: [
            "PAYMENT_SANDBOX_SETTLE_MILLIS": "1500", "REVIEW_RETRY_INTERVAL_MS": "200",
            "REVIEW_RISK_REFUND_COUNT": "1000",
        ])
        try await mesh.start()
        var (platform, clients) = Platform.connect(to: mesh)

        // Before: one refund in each state a running shop has.
        try await platform.sell("arrived", kind: .cardKey, price: 10_000)
        let arrived = try await platform.await(
            try await platform.submit("arrived", ground: .notUsed).refundID,
            .moneyArrived
        )
        try await platform.sell("rejected", kind: .cardKey, price: 5_000, fact: .cardKeyActivated)
        let rejected = try await platform.await(
            try await platform.submit("rejected", ground: .notUsed).refundID,
            .rejected
        )
        try await platform.sell("offered", kind: .timeBased, price: 3_000, totalDays: 30, fact: .daysUsed, daysUsed: 10)
        let offered = try await platform.await(
            try await platform.submit("offered", ground: .partlyUsed).refundID,
            .offered
        )
        try await platform.sell("manual", kind: .cardKey, price: 4_000)
        let manual = try await platform.await(
            try await platform.submit("manual", ground: .notAsDescribed).refundID,
            .underReview
        )
        try await platform.sell("withdrawn", kind: .cardKey, price: 2_000)
        let toWithdraw = try await platform.await(
            try await platform.submit("withdrawn", ground: .notAsDescribed).refundID,
            .underReview
        )
        let withdrawn = try await platform.intake.withdrawRefund(
            WithdrawRefundRequest(userID: "u-story", refundID: toWithdraw.refundID)
        )
        try await platform.sell("bank", kind: .cardKey, price: 6_000, method: .bankCard)
        let sent = try await platform.await(try await platform.submit("bank", ground: .notUsed).refundID, .moneySent)
        let before = [arrived, rejected, offered, manual, withdrawn, sent]
        #expect(
            before.map(\.state) == [.moneyArrived, .rejected, .offered, .underReview, .withdrawn, .moneySent],
            "\(before.map { "\($0.refundID): \($0.state)" })"
        )
        let inboxBefore = try await platform.notification.listInbox(ListInboxRequest(userID: "u-story", limit: 200))
        for client in clients { await client.close() }
        let statuses = try await mesh.stop()
        #expect(statuses.values.allSatisfy { $0 == 0 }, "\(statuses)")

        // The move: each service's store into its own database.
        for name in Mesh.names {
            let (status, output) = try await runProcess(
                ServiceProcess.productsDirectory.appendingPathComponent("refundctl").path,
                [
                    "store", "import", "--service", name,
                    "--data-dir", mesh.root.appendingPathComponent(name).path, "--to", urls[name]!,
                ]
            )
            #expect(status == 0, "\(name): \(output)")
            #expect(output.contains("done: start \(name)"), "\(name): \(output)")
        }
        // A second import into the same databases is refused: nothing is copied twice.
        let (again, refusal) = try await runProcess(
            ServiceProcess.productsDirectory.appendingPathComponent("refundctl").path,
            [
                "store", "import", "--service", "review",
                "--data-dir", mesh.root.appendingPathComponent("review").path, "--to", urls["review"]!,
            ]
        )
        #expect(again != 0)
        #expect(refusal.contains("already has"), "\(refusal)")

        // After: the same processes, on PostgreSQL. Their SQLite files are moved aside, so
        // nothing could be read from them by mistake.
        for name in Mesh.names {
            let file = mesh.root.appendingPathComponent(name).appendingPathComponent("\(name).sqlite")
            try FileManager.default.moveItem(at: file, to: file.appendingPathExtension("moved"))
            var environment = mesh.environment
            environment[name.uppercased().replacingOccurrences(of: "-", with: "_") + "_DATABASE_URL"] = urls[name]
            try await mesh.processes[name]!.start(port: mesh.ports[name]!, environment: environment)
        }
        (platform, clients) = Platform.connect(to: mesh)

        // Every refund is where it was (the bank card one arrives now, from the moved sandbox records).
        for refund in before {
            let now = try await platform.intake.getRefund(
                GetRefundRequest(userID: "u-story", refundID: refund.refundID)
            )
            if refund.state == .moneySent {
                #expect(try await platform.await(refund.refundID, .moneyArrived).state == .moneyArrived)
            } else {
                #expect(now.state == refund.state, "\(refund.refundID): \(now.state), was \(refund.state)")
                #expect(now.timeline.count == refund.timeline.count, "\(refund.refundID)'s timeline")
            }
        }
        // Idempotency keys and receipts moved too: the same submission again is the same refund.
        #expect(try await platform.submit("arrived", ground: .notUsed).refundID == arrived.refundID)
        // And work goes on: the offer is accepted and paid, a new refund is paid, the manual case
        // still waits in the reviewers' queue.
        _ = try await platform.intake.answerOffer(
            AnswerOfferRequest(userID: "u-story", refundID: offered.refundID, accept: true)
        )
        #expect(try await platform.await(offered.refundID, .moneyArrived).state == .moneyArrived)
        try await platform.sell("after", kind: .cardKey, price: 1_500)
        let after = try await platform.await(
            try await platform.submit("after", ground: .notUsed).refundID,
            .moneyArrived
        )
        #expect(after.state == .moneyArrived)
        let queue = try await platform.review.listQueue(ListQueueRequest(limit: 50))
        #expect(queue.items.contains { $0.refundID == manual.refundID })
        // No notice doubled: the inbox has what it had, plus the new refunds' notices once each.
        let inbox = try await platform.notification.listInbox(ListInboxRequest(userID: "u-story", limit: 200))
        #expect(Set(inboxBefore.items.map(\.itemID)).isSubset(of: Set(inbox.items.map(\.itemID))))
        #expect(Set(inbox.items.map(\.eventID)).count == inbox.items.count)
        let trial = try await platform.payments.trialBalance(TrialBalanceRequest())
        #expect(trial.balanced && trial.totalFen == 0, "\(trial)")

        for client in clients { await client.close() }
        let after2 = try await mesh.stop()
        #expect(after2.values.allSatisfy { $0 == 0 }, "\(after2)")
    }
}
