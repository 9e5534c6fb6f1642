import Foundation
import RefundMeshAPI
import RefundMeshRPC
import Synchronization
import Testing

/// The real `review` executable, over TCP, with its peers played by an in-test RPC server.
@Suite("review service (real process)")
struct ReviewServiceTests {
    /// What the fake peers received. While not accepting, they answer UNAVAILABLE (a peer down).
    final class Received: Sendable {
        private let state = Mutex<(statuses: [StatusUpdate], events: [RefundEvent], refunds: [ExecuteRefundRequest])>(
            ([], [], [])
        )
        private let accepting: Mutex<Bool>

        init(accepting: Bool = true) { self.accepting = Mutex(accepting) }

        func accept() { accepting.withLock { $0 = true } }
        func add(_ status: StatusUpdate) throws { try admit { state.withLock { $0.statuses.append(status) } } }
        func add(_ event: RefundEvent) throws { try admit { state.withLock { $0.events.append(event) } } }
        func add(_ refund: ExecuteRefundRequest) throws { try admit { state.withLock { $0.refunds.append(refund) } } }
        private func admit(_ record: () -> Void) throws {
            guard accepting.withLock({ $0 }) else { throw RPCError(code: .unavailable, message: "peer down (test)") }
            record()
        }
        var statuses: [StatusUpdate] { state.withLock { $0.statuses } }
        var events: [RefundEvent] { state.withLock { $0.events } }
        var refunds: [ExecuteRefundRequest] { state.withLock { $0.refunds } }
    }

    /// intake's ApplyStatus; every other intake method is UNIMPLEMENTED.
    struct FakeIntake: RPCService {
        let received: Received
        var serviceDescriptor: ServiceDescriptor { Intake.descriptor }
        var handlers: [RPCMethodHandler] {
            [
                .unary(Intake.Method.applyStatus) { (request: StatusUpdate, _) in
                    try received.add(request)
                    return Ack(firstTime: true)
                }
            ]
        }
    }

    /// payment-channel's ListPayments (from a table) and ExecuteRefund (recorded).
    struct FakePaymentChannel: RPCService {
        let received: Received
        let payments: [String: [CapturedPayment]]
        var serviceDescriptor: ServiceDescriptor { PaymentChannel.descriptor }
        var handlers: [RPCMethodHandler] {
            [
                .unary(PaymentChannel.Method.listPayments) { (request: ListPaymentsRequest, _) in
                    ListPaymentsResponse(payments: payments[request.orderID] ?? [])
                },
                .unary(PaymentChannel.Method.executeRefund) { (request: ExecuteRefundRequest, _) in
                    try received.add(request)
                    return RefundPayment(refundID: request.refundID, amountFen: request.amountFen, state: .pending)
                },
            ]
        }
    }

    /// notification's Publish.
    struct FakeNotification: RPCService {
        let received: Received
        var serviceDescriptor: ServiceDescriptor { Notification.descriptor }
        var handlers: [RPCMethodHandler] {
            [
                .unary(Notification.Method.publish) { (request: RefundEvent, _) in
                    try received.add(request)
                    return Ack(firstTime: true)
                }
            ]
        }
    }

    /// Runs `body` with the three fake peers on one loopback port.
    private func withPeers<T: Sendable>(
        _ received: Received,
        _ body: (_ environment: [String: String]) async throws -> T
    ) async throws -> T {
        let server = RPCServer(
            configuration: RPCServer.Configuration(host: "127.0.0.1", port: 0),
            services: [
                FakeIntake(received: received),
                FakePaymentChannel(received: received, payments: [:]),
                FakeNotification(received: received),
            ]
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try await server.listeningAddress().port!
            let address = "127.0.0.1:\(port)"
            do {
                let result = try await body([
                    "INTAKE_ADDR": address, "PAYMENT_CHANNEL_ADDR": address, "NOTIFICATION_ADDR": address,
                ])
                server.beginGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    private func cardKeyCase(_ refundID: String) -> OpenCaseRequest {
        OpenCaseRequest(
            refundID: refundID,
            order: Order(
                orderID: "o-\(refundID)",
                userID: "u-1",
                productKind: .cardKey,
                priceFen: 5000,
                paidAtMs: 1_764_000_000_000,
                cardKeyID: "ck-1"
            ),
            ground: .notUsed,
            destination: .balance,
            submittedAtMs: 1_764_000_000_000
        )
    }

    /// Waits until `condition` holds (the relay delivers asynchronously).
    private func eventually(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw ServiceProcessError("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func effectsArrived(_ received: Received, refundID: String) -> Bool {
        received.statuses.contains { $0.eventID == "\(refundID):approved" && $0.state == .approved }
            && received.events.contains { $0.eventID == "\(refundID):approved" && $0.kind == .approved }
            && received.refunds.contains { $0.refundID == refundID }
    }

    @Test("R-R1 end to end: OpenCase for an unused card key → ApplyStatus(APPROVED), Publish, ExecuteRefund")
    func cardKeyApproved() async throws {
        let received = Received()
        try await withPeers(received) { environment in
            let service = try ServiceProcess("review")
            try await service.start(environment: environment)
            let client = service.client()
            let review = Review.Client(client)

            #expect(try await review.openCase(cardKeyCase("r-1")).firstTime)
            try await eventually("the approval's three messages") { effectsArrived(received, refundID: "r-1") }
            let refund = try #require(received.refunds.first)
            #expect(refund.amountFen == 5000 && refund.destination == .balance && refund.userID == "u-1")
            let reviewCase = try await review.getCase(GetCaseRequest(refundID: "r-1"))
            #expect(reviewCase.outcome == .approved && reviewCase.rule == "R-R1" && reviewCase.decidedBy == "system")

            let missing = await #expect(throws: RPCError.self) {
                _ = try await review.getCase(GetCaseRequest(refundID: "r-404"))
            }
            #expect(missing?.code == .notFound)

            await client.close()
            #expect(try await service.stop() == 0, "SIGTERM ends the service cleanly")
        }
    }

    @Test("SIGKILL right after OpenCase: after a restart the effects still arrive and the decision is recorded once")
    func crashAfterOpenCase() async throws {
        // The peers refuse everything until review has crashed and restarted, so what arrives
        // was delivered from the outbox review committed before the SIGKILL.
        let received = Received(accepting: false)
        try await withPeers(received) { environment in
            let service = try ServiceProcess("review")
            try await service.start(environment: environment)
            var client = service.client()
            #expect(try await Review.Client(client).openCase(cardKeyCase("r-9")).firstTime)
            try await service.kill()
            await client.close()

            try await service.start(environment: environment)
            received.accept()
            client = service.client()
            let review = Review.Client(client)
            try await eventually("the approval's messages after the restart") {
                effectsArrived(received, refundID: "r-9")
            }
            let decided = try await review.getCase(GetCaseRequest(refundID: "r-9"))
            #expect(decided.outcome == .approved)
            // intake's outbox redelivers OpenCase after the crash: nothing is decided again.
            #expect(try await review.openCase(cardKeyCase("r-9")).firstTime == false)
            #expect(try await review.getCase(GetCaseRequest(refundID: "r-9")) == decided)
            // At least once: payment-channel may see ExecuteRefund twice (it pays once per refund id).
            #expect(received.refunds.allSatisfy { $0.refundID == "r-9" && $0.amountFen == 5000 })
            #expect(Set(received.statuses.map(\.eventID)) == ["r-9:approved"])

            await client.close()
            #expect(try await service.stop() == 0)
        }
    }
}
