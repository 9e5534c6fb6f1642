import ArgumentParser
import Foundation
import RefundMeshAPI
import RefundMeshRPC

/// `refundctl demo`: the seed article's stories against a running mesh, each with its timeline.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play the seed's refund stories against a running mesh and print each timeline."
    )

    @OptionGroup var mesh: MeshAddresses

    /// Each story is another shopper, "<user>-<story>": one user asking for six refunds in a
    /// minute is what R-R7's refund-frequency signal is for, and would go to a person.
    @Option(help: "The demo users' prefix (each run also uses fresh order ids).")
    var user = "demo-user"

    struct Story {
        var title: String
        var order: String
        var kind: ProductKind
        var price: Int64
        var method: PaymentMethod = .wechatPay
        var ground: RefundGround = .notUsed
        var paidDaysAgo: Int64 = 1
        var totalDays: Int32 = 0
        var duplicate = false
        var fact: FulfillmentFact.Kind?
        var daysUsed: Int32 = 0
        var acceptOffer = false
    }

    func run() async throws {
        let clients = try MeshClients(mesh)
        let run = String(Int64(Date().timeIntervalSince1970))
        let stories = [
            Story(
                title: "An unused card key, refunded in full to WeChat (fee shown)",
                order: "unused",
                kind: .cardKey,
                price: 10_000
            ),
            Story(
                title: "An activated card key, rejected with the rule",
                order: "activated",
                kind: .cardKey,
                price: 5_000,
                fact: .cardKeyActivated
            ),
            Story(
                title: "A failed recharge, refunded",
                order: "recharge",
                kind: .directRecharge,
                price: 3_000,
                method: .alipay,
                fact: .rechargeFailed
            ),
            Story(
                title: "A duplicate charge, refunded without a fee",
                order: "duplicate",
                kind: .cardKey,
                price: 2_000,
                ground: .duplicateCharge,
                duplicate: true,
                fact: .cardKeyActivated
            ),
            Story(
                title: "A 30-day card used 10 days, offered 20/30 and accepted",
                order: "monthly",
                kind: .timeBased,
                price: 3_000,
                ground: .partlyUsed,
                totalDays: 30,
                fact: .daysUsed,
                daysUsed: 10,
                acceptOffer: true
            ),
            Story(
                title: "A request on day 16, rejected as late",
                order: "late",
                kind: .cardKey,
                price: 1_000,
                paidDaysAgo: 16
            ),
        ]
        for story in stories {
            print("\n■ \(story.title)")
            do {
                try await play(story, orderID: "demo-\(run)-\(story.order)", clients: clients)
            } catch let error as RPCError {
                print("  refused: \(error.code) — \(error.message)")
            }
        }
        let shopper = "\(user)-\(stories[0].order)"
        let inbox = try await clients.notification.listInbox(
            ListInboxRequest(userID: shopper, unreadOnly: true, limit: 5)
        )
        print("\n■ \(shopper)'s inbox: \(inbox.unreadCount) unread; newest:")
        for item in inbox.items { print("  * \(item.title) — \(item.body)") }
        await clients.close()
    }

    static let reason = "The goods could not be used as sold; the attached proofs show the order, payment and state."

    private func play(_ story: Story, orderID: String, clients: MeshClients) async throws {
        let user = "\(self.user)-\(story.order)"
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let paidAt = now - story.paidDaysAgo * 86_400_000
        let order = Order(
            orderID: orderID,
            userID: user,
            productKind: story.kind,
            sku: story.order,
            productName: story.title,
            priceFen: story.price,
            paidAtMs: paidAt,
            cardKeyID: story.kind == .cardKey ? "ck-\(orderID)" : "",
            rechargeAccount: story.kind == .directRecharge ? "acct-\(orderID)" : "",
            totalDays: story.totalDays
        )
        _ = try await clients.intake.recordOrder(RecordOrderRequest(order: order))
        _ = try await clients.payments.recordPayment(
            CapturedPayment(
                paymentID: "pay-\(orderID)",
                orderID: orderID,
                userID: user,
                method: story.method,
                amountFen: story.price,
                capturedAtMs: paidAt
            )
        )
        if story.duplicate {
            _ = try await clients.payments.recordPayment(
                CapturedPayment(
                    paymentID: "pay-\(orderID)-2",
                    orderID: orderID,
                    userID: user,
                    method: story.method,
                    amountFen: story.price,
                    capturedAtMs: paidAt + 1_000
                )
            )
        }
        if let fact = story.fact {
            _ = try await clients.review.recordFulfillment(
                FulfillmentFact(
                    factID: "f-\(orderID)",
                    orderID: orderID,
                    kind: fact,
                    atMs: paidAt + 1_000,
                    daysUsed: story.daysUsed
                )
            )
        }
        let check = try await clients.intake.preCheck(
            PreCheckRequest(
                userID: user,
                orderID: orderID,
                ground: story.ground,
                materials: [.orderProof, .paymentProof, .nonUseProof],
                reasonStatement: Self.reason,
                locale: "en"
            )
        )
        print("  pre-check: \(check.eligible ? "eligible" : "not eligible") [\(check.rule)] \(check.reason)")
        if check.eligible {
            print(
                "             amount ¥\(Double(check.expectedAmountFen) / 100), fee ¥\(Double(check.feeFen) / 100), \(check.arrivalDescription)"
            )
        }
        let refund = try await clients.intake.submitRefund(
            SubmitRefundRequest(
                idempotencyKey: "demo-\(orderID)",
                userID: user,
                orderID: orderID,
                source: .orderPage,
                ground: story.ground,
                reasonStatement: Self.reason,
                attachments: [
                    Attachment(
                        kind: .orderProof,
                        fileName: "order.png",
                        contentType: "image/png",
                        content: Array(orderID.utf8)
                    ),
                    Attachment(
                        kind: .paymentProof,
                        fileName: "payment.png",
                        contentType: "image/png",
                        content: Array("paid".utf8)
                    ),
                    Attachment(
                        kind: .nonUseProof,
                        fileName: "proof.png",
                        contentType: "image/png",
                        content: Array("unused".utf8)
                    ),
                ],
                destination: .original,
                paymentID: story.duplicate ? "pay-\(orderID)-2" : "",
                locale: "en"
            )
        )
        print("  refund \(refund.refundID):")
        var printed = 0
        var answered = false
        try await clients.intake.watchRefund(GetRefundRequest(userID: user, refundID: refund.refundID)) { stream in
            for try await view in stream {
                for entry in view.timeline.dropFirst(printed) { print(Timeline.line(entry)) }
                printed = view.timeline.count
                if view.state == .offered, story.acceptOffer, !answered {
                    answered = true
                    _ = try await clients.intake.answerOffer(
                        AnswerOfferRequest(userID: user, refundID: refund.refundID, accept: true)
                    )
                }
                if view.state.isFinal { break }
            }
        }
    }
}
