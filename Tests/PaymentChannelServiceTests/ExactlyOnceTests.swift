import Foundation
import Logging
import PaymentChannelService
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC
import RefundMeshStoreTestSupport
import Testing

@Suite("Exactly once under concurrency and crashes (R-C5, R-C6), over real TCP")
struct ExactlyOnceTests {
    @Test(
        "50 concurrent partial refunds of one payment over TCP: exactly the 33 that fit succeed, each paid once",
        arguments: TestBackend.all
    )
    func fiftyConcurrentPartialRefunds(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment(amountFen: 10_000)
            try await withServer(fixture.handler) { client in
                let payments = PaymentChannel.Client(client)
                let results = await withTaskGroup(of: Result<RefundPayment, RPCError>.self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            do {
                                return .success(
                                    try await payments.executeRefund(
                                        ExecuteRefundRequest(
                                            refundID: "r-\(index)",
                                            orderID: "order-1",
                                            userID: "user-1",
                                            amountFen: 300
                                        )
                                    )
                                )
                            } catch let error as RPCError {
                                return .failure(error)
                            } catch {
                                return .failure(RPCError(code: .unknown, message: "\(error)"))
                            }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                let accepted = results.compactMap { try? $0.get() }
                let refused = results.compactMap { result -> RPCError? in
                    if case .failure(let error) = result { return error }
                    return nil
                }
                #expect(accepted.count == 33, "10000 fen holds 33 refunds of 300")
                #expect(accepted.reduce(0) { $0 + $1.amountFen } == 9_900)
                #expect(refused.count == 17)
                #expect(refused.allSatisfy { $0.code == .failedPrecondition && $0.message.contains("(R-C5)") })
                // The settler takes the queued ones to the provider, one submission of the payment at a time.
                for _ in 0..<200 {
                    fixture.clock.advance(by: 200)
                    try await fixture.settle()
                    let states = try await fixture.payments.allRefunds().map(\.state)
                    if states.allSatisfy({ $0 == .arrived }) { break }
                }
                let refunds = try await fixture.payments.allRefunds()
                #expect(refunds.count == 33 && refunds.allSatisfy { $0.state == .arrived })
                #expect(try await fixture.sandbox.paidCount() == 33)
                let log = try await fixture.sandbox.submissionLog(paymentID: "payment-1")
                #expect(Set(log.map(\.refundNo)).count == log.count, "no refund number reached the provider twice")
                let trial = try await payments.trialBalance(TrialBalanceRequest())
                #expect(trial.balanced && trial.totalFen == 0)
                let ledger = try await payments.getRefundLedger(GetRefundLedgerRequest(refundID: accepted[0].refundID))
                #expect(ledger.entries.map(\.movement) == ["begin", "sent", "arrived"])
                #expect(ledger.entries.allSatisfy { $0.postings.reduce(0) { $0 + $1.amountFen } == 0 })
            }
            try await fixture.checkInvariants()
        }
    }

    @Test("crash after PENDING was committed: the reopened store settles it exactly once, under the same number")
    func crashAfterPending() async throws {
        var fixture = try PaymentFixture()
        defer { fixture.remove() }
        try await fixture.recordPayment(method: .bankCard)
        let begun = try await fixture.payments.begin(
            ExecuteRefundRequest(refundID: "r-crash", orderID: "order-1", amountFen: 4_000),
            at: fixture.clock.now
        )
        // And one that died mid-call: claimed, never reached the provider (another payment: a claim
        // holds back the other refunds of its own payment, R-C5).
        try await fixture.recordPayment(id: "payment-2", order: "order-2", method: .bankCard)
        _ = try await fixture.payments.begin(
            ExecuteRefundRequest(refundID: "r-mid", orderID: "order-2", amountFen: 2_000),
            at: fixture.clock.now
        )
        guard case .claimed = try await fixture.payments.claimSubmission("r-mid", at: fixture.clock.now) else {
            Issue.record("r-mid could not be claimed")
            return
        }
        fixture = try fixture.reopened()
        // A claim that is still within its lease holds (another submission could be in flight)…
        try await fixture.settle()
        #expect(try await fixture.refund("r-mid").state == .pending, "its claim holds within the lease")
        // …until startup releases the claims of the dead process, as payment-channel's main does.
        #expect(try await fixture.payments.releaseAbandonedClaims() == 1)
        for _ in 0..<10 {
            try await fixture.settle()
            fixture.clock.advance(by: 1_000)
        }
        #expect(try await fixture.refund("r-crash").state == .arrived)
        #expect(try await fixture.refund("r-mid").state == .arrived)
        #expect(try await fixture.sandbox.submissions(refundNo: begun.refund.providerRefundNo) == 1)
        #expect(try await fixture.sandbox.submissions(refundNo: "RM-r-mid") == 1)
        #expect(try await fixture.sandbox.paidCount() == 2)
        try await fixture.checkInvariants()
    }

    /// Runs `body` with a client of a real RPC server hosting `handler` on a loopback port.
    func withServer(_ handler: PaymentChannelHandler, _ body: (RPCClient) async throws -> Void) async throws {
        let server = RPCServer(services: [handler], logger: testLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            do {
                let port = try #require(try await server.listeningAddress().port)
                var configuration = RPCClient.Configuration(endpoints: [Endpoint(host: "127.0.0.1", port: port)])
                configuration.defaultTimeout = .seconds(60)
                let client = RPCClient(configuration: configuration, logger: testLogger)
                do {
                    try await body(client)
                } catch {
                    await client.close()
                    throw error
                }
                await client.close()
                server.beginGracefulShutdown()
                try await group.waitForAll()
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
