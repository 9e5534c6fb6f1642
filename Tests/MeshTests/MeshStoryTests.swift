import Foundation
import RefundMeshAPI
import RefundMeshRPC
import Testing

/// All four real services together, running the stories of the seed article end to end.
@Suite("the whole mesh (four real processes)", .serialized)
struct MeshStoryTests {
    static let day: Int64 = 86_400_000
    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    struct Platform {
        let intake: Intake.Client
        let review: Review.Client
        let payments: PaymentChannel.Client
        let notification: RefundMeshAPI.Notification.Client

        /// Records an order, its payment(s) and a fulfillment fact, as the shop platform would.
        func sell(
            _ id: String,
            kind: ProductKind,
            price: Int64,
            user: String = "u-story",
            method: PaymentMethod = .wechatPay,
            paidDaysAgo: Int64 = 1,
            totalDays: Int32 = 0,
            extraPayment: Int64 = 0,
            fact: FulfillmentFact.Kind? = nil,
            daysUsed: Int32 = 0
        ) async throws {
            let paidAt = MeshStoryTests.nowMs - paidDaysAgo * MeshStoryTests.day
            let order = Order(
                orderID: id,
                userID: user,
                productKind: kind,
                sku: "sku-\(id)",
                productName: "product \(id)",
                priceFen: price,
                paidAtMs: paidAt,
                cardKeyID: kind == .cardKey ? "ck-\(id)" : "",
                rechargeAccount: kind == .directRecharge ? "game-account-\(id)" : "",
                totalDays: totalDays
            )
            _ = try await intake.recordOrder(RecordOrderRequest(order: order))
            _ = try await payments.recordPayment(
                CapturedPayment(
                    paymentID: "pay-\(id)",
                    orderID: id,
                    userID: user,
                    method: method,
                    amountFen: price,
                    capturedAtMs: paidAt
                )
            )
            if extraPayment > 0 {
                _ = try await payments.recordPayment(
                    CapturedPayment(
                        paymentID: "pay-\(id)-dup",
                        orderID: id,
                        userID: user,
                        method: method,
                        amountFen: extraPayment,
                        capturedAtMs: paidAt + 1000
                    )
                )
            }
            if let fact {
                _ = try await review.recordFulfillment(
                    FulfillmentFact(factID: "f-\(id)", orderID: id, kind: fact, atMs: paidAt + 1000, daysUsed: daysUsed)
                )
            }
        }

        func submit(
            _ order: String,
            ground: RefundGround,
            user: String = "u-story",
            paymentID: String = ""
        ) async throws -> RefundView {
            try await intake.submitRefund(
                SubmitRefundRequest(
                    idempotencyKey: "key-\(order)",
                    userID: user,
                    orderID: order,
                    source: .orderPage,
                    ground: ground,
                    reasonStatement:
                        "The goods were not usable as sold: details and screenshots are attached to this request.",
                    attachments: [
                        Attachment(
                            kind: .orderProof,
                            fileName: "order.png",
                            contentType: "image/png",
                            content: Array("o-\(order)".utf8)
                        ),
                        Attachment(
                            kind: .paymentProof,
                            fileName: "pay.png",
                            contentType: "image/png",
                            content: Array("p".utf8)
                        ),
                        Attachment(
                            kind: .nonUseProof,
                            fileName: "proof.png",
                            contentType: "image/png",
                            content: Array("n".utf8)
                        ),
                    ],
                    destination: .original,
                    paymentID: paymentID,
                    locale: "en"
                )
            )
        }

        /// Clients of the mesh's four services, as the platform; close the RPC clients after.
        static func connect(to mesh: Mesh) -> (Platform, [RPCClient]) {
            let clients = Mesh.names.reduce(into: [String: RPCClient]()) { $0[$1] = mesh.client($1) }
            let platform = Platform(
                intake: Intake.Client(clients["intake"]!),
                review: Review.Client(clients["review"]!),
                payments: PaymentChannel.Client(clients["payment-channel"]!),
                notification: RefundMeshAPI.Notification.Client(clients["notification"]!)
            )
            return (platform, Array(clients.values))
        }

        /// Waits until the refund reaches `state` (or any final state) and returns it.
        func await(_ refundID: String, _ state: RefundState, user: String = "u-story") async throws -> RefundView {
            var view = try await intake.getRefund(GetRefundRequest(userID: user, refundID: refundID))
            let deadline = ContinuousClock.now + .seconds(30)
            while view.state != state && !view.state.isFinal && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(25))
                view = try await intake.getRefund(GetRefundRequest(userID: user, refundID: refundID))
            }
            return view
        }
    }

    private func withMesh(_ body: (Mesh, Platform) async throws -> Void) async throws {
        // The stories are one shopper's many refunds; R-R7's refund-frequency signal would send
        // the later ones to a person (ReviewQueueMeshTests and RiskScoringTests cover it).
        let mesh = try Mesh(extraEnvironment: [
            "PAYMENT_SANDBOX_SETTLE_MILLIS": "100", "REVIEW_RETRY_INTERVAL_MS": "200",
            "REVIEW_RISK_REFUND_COUNT": "1000",
        ])
        try await mesh.start()
        let (platform, clients) = Platform.connect(to: mesh)
        try await body(mesh, platform)
        for client in clients { await client.close() }
        let statuses = try await mesh.stop()
        #expect(statuses.values.allSatisfy { $0 == 0 }, "every service exits cleanly on SIGTERM: \(statuses)")
    }

    @Test("the seed's stories, from request to money back, with the rule behind each step")
    func stories() async throws {
        try await withMesh { _, platform in
            // An unused card key, refunded in full to WeChat with the fee shown (R-R1, R-C1, R-C2).
            try await platform.sell("card-unused", kind: .cardKey, price: 10_000)
            let unused = try await platform.submit("card-unused", ground: .notUsed)
            let paid = try await platform.await(unused.refundID, .moneyArrived)
            #expect(paid.state == .moneyArrived)
            #expect(paid.decidedAmountFen == 10_000)
            #expect(paid.feeFen == 60)
            #expect(paid.timeline.contains { $0.state == .approved && $0.rule == "R-R1" })
            #expect(paid.timeline.map(\.state).starts(with: [.received]))

            // An activated card key, rejected with the rule (R-R1, the negative list).
            try await platform.sell("card-used", kind: .cardKey, price: 5_000, fact: .cardKeyActivated)
            let used = try await platform.await(
                try await platform.submit("card-used", ground: .notUsed).refundID,
                .rejected
            )
            #expect(used.state == .rejected)
            #expect(used.timeline.last?.rule == "R-R1")

            // A failed recharge, refunded (R-R2).
            try await platform.sell(
                "recharge",
                kind: .directRecharge,
                price: 3_000,
                method: .alipay,
                fact: .rechargeFailed
            )
            let recharge = try await platform.await(
                try await platform.submit("recharge", ground: .notUsed).refundID,
                .moneyArrived
            )
            #expect(recharge.state == .moneyArrived)

            // A duplicate charge, refunded without a fee (R-R3, R-C2).
            try await platform.sell(
                "double",
                kind: .cardKey,
                price: 2_000,
                extraPayment: 2_000,
                fact: .cardKeyActivated
            )
            let double = try await platform.await(
                try await platform.submit("double", ground: .duplicateCharge, paymentID: "pay-double-dup").refundID,
                .moneyArrived
            )
            #expect(double.state == .moneyArrived)
            #expect(double.decidedAmountFen == 2_000)
            #expect(double.feeFen == 0)

            // A 30-day card used for 10 days: offered 20/30, accepted, paid (R-R5).
            try await platform.sell(
                "month",
                kind: .timeBased,
                price: 3_000,
                totalDays: 30,
                fact: .daysUsed,
                daysUsed: 10
            )
            let month = try await platform.submit("month", ground: .partlyUsed)
            let offered = try await platform.await(month.refundID, .offered)
            #expect(offered.state == .offered)
            #expect(offered.decidedAmountFen == 2_000)
            _ = try await platform.intake.answerOffer(
                AnswerOfferRequest(userID: "u-story", refundID: month.refundID, accept: true)
            )
            let monthPaid = try await platform.await(month.refundID, .moneyArrived)
            #expect(monthPaid.state == .moneyArrived)
            #expect(monthPaid.decidedAmountFen == 2_000)

            // A request on day 16, refused as late (R-A4).
            try await platform.sell("late", kind: .cardKey, price: 1_000, paidDaysAgo: 16)
            let late = await #expect(throws: RPCError.self) { _ = try await platform.submit("late", ground: .notUsed) }
            #expect(late?.message.contains("R-A4") == true)

            // The user was told at every step (R-N1), each event once (R-N3).
            let inbox = try await platform.notification.listInbox(ListInboxRequest(userID: "u-story", limit: 200))
            let kinds = inbox.items.filter { $0.refundID == unused.refundID }.map(\.kind)
            #expect(Set(kinds) == [.received, .approved, .moneySent, .moneyArrived])
            #expect(kinds.count == 4)
        }
    }

    @Test("SIGKILL review in the middle of a batch: every refund still finishes, none is paid twice, no notice doubles")
    func crashInTheMiddle() async throws {
        try await withMesh { mesh, platform in
            let count = 12
            for index in 0..<count {
                try await platform.sell("batch-\(index)", kind: .cardKey, price: 1_000 + Int64(index), method: .balance)
            }
            var refunds: [String] = []
            for index in 0..<count {
                refunds.append(try await platform.submit("batch-\(index)", ground: .notUsed).refundID)
                if index == count / 2 { try await mesh.kill("review") }
            }
            try await mesh.start("review")
            for refund in refunds {
                let view = try await platform.await(refund, .moneyArrived)
                #expect(view.state == .moneyArrived, "\(refund) is \(view.state)")
                #expect(view.timeline.filter { $0.state == .moneyArrived }.count == 1)
            }
            let balance = try await platform.payments.getBalance(GetBalanceRequest(userID: "u-story"))
            var expected: Int64 = 0
            for index in 0..<count { expected += 1_000 + Int64(index) }
            #expect(balance.availableFen == expected, "each refund credited once")
            let inbox = try await platform.notification.listInbox(ListInboxRequest(userID: "u-story", limit: 500))
            let eventIDs = inbox.items.map(\.eventID)
            #expect(Set(eventIDs).count == eventIDs.count, "no notification shows twice")
            #expect(inbox.items.filter { $0.kind == .moneyArrived }.count == count)
        }
    }
}
