import Foundation
import Logging
import RefundMeshAPI
import RefundMeshRPC
import Synchronization
import Testing

/// The real `payment-channel` executable, talking to an in-test intake and notification over TCP
/// (R-C1 … R-C6).
@Suite("payment-channel service (real process)")
struct PaymentChannelServiceTests {
    @Test("WeChat and balance refunds reach intake and notification as MONEY_SENT then MONEY_ARRIVED, with the fee")
    func refundsFlowToPeers() async throws {
        try await withPeers { peers, port in
            let service = try ServiceProcess("payment-channel")
            try await service.start(environment: Self.environment(peerPort: port))
            let client = service.client()
            let payments = PaymentChannel.Client(client)
            _ = try await payments.recordPayment(Self.payment("p-1", order: "o-1", method: .wechatPay, fen: 10_000))
            _ = try await payments.recordPayment(Self.payment("p-2", order: "o-2", method: .alipay, fen: 5_000))

            let wechat = try await payments.executeRefund(
                ExecuteRefundRequest(refundID: "r-wx", orderID: "o-1", userID: "u-1", amountFen: 10_000)
            )
            #expect(wechat.method == .wechatPay && wechat.feeFen == 60 && wechat.netAmountFen == 9_940)
            #expect(wechat.state == .sent || wechat.state == .pending)
            let balance = try await payments.executeRefund(
                ExecuteRefundRequest(
                    refundID: "r-bal",
                    orderID: "o-2",
                    userID: "u-1",
                    amountFen: 5_000,
                    destination: .balance
                )
            )
            #expect(balance.state == .arrived && balance.feeFen == 0)
            #expect(try await payments.getBalance(GetBalanceRequest(userID: "u-1")).availableFen == 5_000)

            try await peers.waitFor(["r-wx:money-arrived", "r-bal:money-arrived"])
            let statuses = peers.statuses
            for refund in ["r-wx", "r-bal"] {
                let states = statuses.filter { $0.refundID == refund }.map(\.state)
                #expect(states.first == .moneySent && states.last == .moneyArrived, "\(refund): \(states)")
            }
            let sent = try #require(statuses.first { $0.eventID == "r-wx:money-sent" })
            #expect(sent.feeFen == 60 && sent.amountFen == 10_000 && sent.actor == "payment-channel")
            #expect(sent.rule == "R-C1")
            try await peers.waitForEvents(["r-wx:money-sent", "r-wx:money-arrived", "r-bal:money-arrived"])
            let event = try #require(peers.events.first { $0.eventID == "r-wx:money-sent" })
            #expect(event.kind == .moneySent && event.feeFen == 60 && event.userID == "u-1" && event.orderID == "o-1")
            #expect(try await payments.getRefundPayment(GetRefundPaymentRequest(refundID: "r-wx")).state == .arrived)

            await client.close()
            #expect(try await service.stop() == 0, "SIGTERM ends the service cleanly")
        }
    }

    @Test("SIGKILL right after ExecuteRefund: after a restart each refund arrives once, under the same number")
    func crashAfterExecute() async throws {
        try await withPeers { peers, port in
            let service = try ServiceProcess("payment-channel")
            var environment = Self.environment(peerPort: port)
            environment["PAYMENT_SANDBOX_LATENCY_MILLIS"] = "300"
            try await service.start(environment: environment)
            var client = service.client()
            var payments = PaymentChannel.Client(client)
            _ = try await payments.recordPayment(Self.payment("p-3", order: "o-3", method: .bankCard, fen: 20_000))
            _ = try await payments.recordPayment(Self.payment("p-4", order: "o-4", method: .wechatPay, fen: 3_000))
            let card = try await payments.executeRefund(
                ExecuteRefundRequest(refundID: "r-card", orderID: "o-3", userID: "u-2", amountFen: 20_000)
            )
            let credit = try await payments.executeRefund(
                ExecuteRefundRequest(
                    refundID: "r-credit",
                    orderID: "o-4",
                    userID: "u-2",
                    amountFen: 3_000,
                    destination: .balance
                )
            )
            // And one killed mid-call: the provider answers slowly, the caller gives up, the process dies.
            _ = try await payments.recordPayment(Self.payment("p-5", order: "o-5", method: .alipay, fen: 8_000))
            let midCall = ExecuteRefundRequest(refundID: "r-mid", orderID: "o-5", userID: "u-2", amountFen: 8_000)
            _ = try? await payments.executeRefund(midCall, options: CallOptions(timeout: .milliseconds(150)))
            await client.close()
            try await service.kill()

            try await service.start(environment: environment)
            client = service.client()
            payments = PaymentChannel.Client(client)
            // Review's outbox may deliver ExecuteRefund again after the crash: same refund, same number.
            let again = try await payments.executeRefund(
                ExecuteRefundRequest(refundID: "r-card", orderID: "o-3", userID: "u-2", amountFen: 20_000)
            )
            #expect(again.providerRefundNo == card.providerRefundNo)
            // Whether or not r-mid committed before the kill, the retry leads to one refund.
            let mid = try await payments.executeRefund(midCall)
            #expect(mid.providerRefundNo == "RM-r-mid")
            try await peers.waitFor(["r-card:money-arrived", "r-credit:money-arrived", "r-mid:money-arrived"])
            let midSettled = try await payments.getRefundPayment(GetRefundPaymentRequest(refundID: "r-mid"))
            #expect(midSettled.state == .arrived && midSettled.providerRefundNo == "RM-r-mid")

            let settled = try await payments.getRefundPayment(GetRefundPaymentRequest(refundID: "r-card"))
            #expect(settled.state == .arrived && settled.providerRefundNo == card.providerRefundNo)
            #expect(settled.feeFen == 120 && settled.netAmountFen == 19_880)
            #expect(credit.state == .arrived)
            #expect(
                try await payments.getBalance(GetBalanceRequest(userID: "u-2")).availableFen == 3_000,
                "the balance was credited once"
            )
            // At least once on the wire, once in effect: one distinct event per step.
            for refund in ["r-card", "r-credit", "r-mid"] {
                let ids = Set(peers.statuses.filter { $0.refundID == refund }.map(\.eventID))
                #expect(ids == ["\(refund):money-sent", "\(refund):money-arrived"])
            }
            // R-C5: a refund beyond what was captured is refused, even after the crash.
            let error = await #expect(throws: RPCError.self) {
                _ = try await payments.executeRefund(
                    ExecuteRefundRequest(refundID: "r-more", orderID: "o-3", userID: "u-2", amountFen: 1)
                )
            }
            #expect(error?.code == .failedPrecondition)
            await client.close()
            #expect(try await service.stop() == 0)
        }
    }

    // MARK: Support

    static func environment(peerPort: Int) -> [String: String] {
        [
            "INTAKE_ADDR": "127.0.0.1:\(peerPort)",
            "NOTIFICATION_ADDR": "127.0.0.1:\(peerPort)",
            "PAYMENT_SANDBOX_SETTLE_MILLIS": "200",
        ]
    }

    static func payment(_ id: String, order: String, method: PaymentMethod, fen: Int64) -> CapturedPayment {
        CapturedPayment(
            paymentID: id,
            orderID: order,
            userID: ["o-1", "o-2"].contains(order) ? "u-1" : "u-2",
            method: method,
            amountFen: fen,
            // An hour ago: WeChat Pay takes refunds only within 365 days of payment (R-C7).
            capturedAtMs: Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000,
            merchantID: "m-1"
        )
    }

    /// Runs `body` with a fake intake and notification serving on one loopback port.
    func withPeers(_ body: (PeerRecorder, Int) async throws -> Void) async throws {
        let recorder = PeerRecorder()
        var logger = Logger(label: "test.peers")
        logger.logLevel = .critical
        let server = RPCServer(
            services: [FakeIntake(recorder: recorder), FakeNotification(recorder: recorder)],
            logger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            do {
                let port = try #require(try await server.listeningAddress().port)
                try await body(recorder, port)
                server.beginGracefulShutdown()
                try await group.waitForAll()
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}

/// What the fake peers received, in arrival order (duplicates included: delivery is at least once).
final class PeerRecorder: Sendable {
    private let received = Mutex<(statuses: [StatusUpdate], events: [RefundEvent])>(([], []))

    var statuses: [StatusUpdate] { received.withLock { $0.statuses } }
    var events: [RefundEvent] { received.withLock { $0.events } }

    /// Records an ApplyStatus; true the first time its event id is seen.
    func record(_ status: StatusUpdate) -> Bool {
        received.withLock { state in
            defer { state.statuses.append(status) }
            return !state.statuses.contains { $0.eventID == status.eventID }
        }
    }

    func record(_ event: RefundEvent) -> Bool {
        received.withLock { state in
            defer { state.events.append(event) }
            return !state.events.contains { $0.eventID == event.eventID }
        }
    }

    /// Waits until intake has received every one of `eventIDs` (at most 20 s).
    func waitFor(_ eventIDs: Set<String>) async throws {
        try await wait(eventIDs) { Set(self.statuses.map(\.eventID)) }
    }

    /// Waits until notification has received every one of `eventIDs` (at most 20 s).
    func waitForEvents(_ eventIDs: Set<String>) async throws {
        try await wait(eventIDs) { Set(self.events.map(\.eventID)) }
    }

    private func wait(_ eventIDs: Set<String>, seen: () -> Set<String>) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !eventIDs.isSubset(of: seen()) {
            guard ContinuousClock.now < deadline else {
                throw ServiceProcessError("never received \(eventIDs.subtracting(seen()).sorted())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Intake as payment-channel sees it: only ApplyStatus does anything.
struct FakeIntake: Intake.ServiceProtocol {
    let recorder: PeerRecorder

    func applyStatus(_ request: StatusUpdate, context: ServerContext) async throws -> Ack {
        Ack(firstTime: recorder.record(request))
    }

    func applyStatusBatch(_ request: StatusUpdateBatch, context: ServerContext) async throws -> BatchAck {
        var acks: [ItemAck] = []
        for item in request.items {
            acks.append(await itemAck { try await applyStatus(item.update ?? StatusUpdate(), context: context) })
        }
        return BatchAck(items: acks)
    }

    func recordOrder(_ request: RecordOrderRequest, context: ServerContext) async throws -> Ack { throw Self.no }
    func getPolicy(_ request: GetPolicyRequest, context: ServerContext) async throws -> Policy { throw Self.no }
    func preCheck(_ request: PreCheckRequest, context: ServerContext) async throws -> PreCheckResponse {
        throw Self.no
    }
    func submitRefund(_ request: SubmitRefundRequest, context: ServerContext) async throws -> RefundView {
        throw Self.no
    }
    func withdrawRefund(_ request: WithdrawRefundRequest, context: ServerContext) async throws -> RefundView {
        throw Self.no
    }
    func supplyMaterials(_ request: SupplyMaterialsRequest, context: ServerContext) async throws -> RefundView {
        throw Self.no
    }
    func answerOffer(_ request: AnswerOfferRequest, context: ServerContext) async throws -> RefundView {
        throw Self.no
    }
    func listRefunds(_ request: ListRefundsRequest, context: ServerContext) async throws -> ListRefundsResponse {
        throw Self.no
    }
    func getRefund(_ request: GetRefundRequest, context: ServerContext) async throws -> RefundView { throw Self.no }
    func watchRefund(
        _ request: GetRefundRequest,
        responses: MessageWriter<RefundView>,
        context: ServerContext
    ) async throws { throw Self.no }

    static var no: RPCError { RPCError(code: .unimplemented, message: "the test's fake intake only applies statuses") }
}

/// Notification as payment-channel sees it: records what is published.
struct FakeNotification: EventNotificationPeer {
    let recorder: PeerRecorder

    func publish(_ request: RefundEvent, context: ServerContext) async throws -> Ack {
        Ack(firstTime: recorder.record(request))
    }

    func listInbox(_ request: ListInboxRequest, context: ServerContext) async throws -> ListInboxResponse {
        throw FakeIntake.no
    }
    func markRead(_ request: MarkReadRequest, context: ServerContext) async throws -> Ack { throw FakeIntake.no }
    func watchInbox(
        _ request: WatchInboxRequest,
        responses: MessageWriter<InboxItem>,
        context: ServerContext
    ) async throws { throw FakeIntake.no }
}
