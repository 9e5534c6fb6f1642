import Foundation
import PaymentChannelService
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC
import RefundMeshStore
import RefundMeshStoreTestSupport
import RefundMeshWire
import Testing

@Suite("ExecuteRefund: exactly once, within the captured amount (R-C5, R-C6)")
struct RefundExecutionTests {
    @Test(
        "20 concurrent ExecuteRefund calls for one balance refund: one payment, one ledger credit",
        arguments: TestBackend.all
    )
    func concurrentBalance(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment()
            let results = try await withThrowingTaskGroup(of: RefundPayment.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await fixture.execute("r-1", amountFen: 5_000, destination: .balance) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.providerRefundNo)).count == 1)
            #expect(results.allSatisfy { $0.state == .arrived && $0.feeFen == 0 && $0.netAmountFen == 5_000 })
            let ledger = try await fixture.payments.ledgerEntries(refundID: "r-1")
            #expect(ledger.map(\.movement) == ["begin", "to-balance"], "owed, then credited once")
            #expect(try await fixture.payments.balance(userID: "user-1") == 5_000)
            try await fixture.checkInvariants()
            // Pending messages list by destination, then enqueue order: SENT before ARRIVED for each.
            #expect(
                try await fixture.outboxEventIDs() == [
                    "r-1:money-sent@intake", "r-1:money-arrived@intake", "r-1:money-sent@notification",
                    "r-1:money-arrived@notification",
                ]
            )
        }
    }

    @Test(
        "20 concurrent ExecuteRefund calls for one WeChat refund: one provider refund, paid once",
        arguments: TestBackend.all
    )
    func concurrentProvider(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment()
            let results = try await withThrowingTaskGroup(of: RefundPayment.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await fixture.execute("r-1", amountFen: 10_000) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let number = ProviderRefundNumber.make(refundID: "r-1")
            #expect(results.allSatisfy { $0.providerRefundNo == number })
            #expect(try await fixture.sandbox.submissions(refundNo: number) == 1)
            let stored = try #require(try await fixture.payments.refund(id: "r-1"))
            #expect(stored.state == .sent && stored.feeFen == 60 && stored.netFen == 9_940)
            fixture.clock.advance(by: 200)
            try await fixture.settle()
            #expect(try await fixture.payments.refund(id: "r-1")?.state == .arrived)
            try await fixture.checkInvariants()
            #expect(try await fixture.sandbox.paidCount() == 1)
            #expect(
                try await fixture.payments.balance(userID: "user-1") == 0,
                "WeChat refunds do not touch the balance"
            )
            let sent = try #require(try await fixture.outbox("r-1:money-sent", to: RefundNotices.intake))
            #expect(sent.kind == Intake.Method.applyStatus.path)
            let update = try StatusUpdate(serializedBytes: sent.payload)
            #expect(update.state == .moneySent && update.feeFen == 60 && update.rule == "R-C1")
            #expect(update.actor == "payment-channel" && update.eventID == "r-1:money-sent")
            let arrived = try #require(try await fixture.outbox("r-1:money-arrived", to: RefundNotices.notification))
            let event = try RefundEvent(serializedBytes: arrived.payload)
            #expect(event.kind == .moneyArrived && event.userID == "user-1" && event.orderID == "order-1")
        }
    }

    @Test(
        "R-C5: refunds of one payment never add up to more than it captured; a changed retry is refused",
        arguments: TestBackend.all
    )
    func capAcrossRefunds(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment()
            _ = try await fixture.execute("r-1", amountFen: 6_000)
            let over = await #expect(throws: RPCError.self) { _ = try await fixture.execute("r-2", amountFen: 5_000) }
            #expect(over?.code == .failedPrecondition)
            #expect(
                over?.message.hasPrefix(
                    "would refund 5000 fen of a 10000 fen payment that already has 6000 fen refunded (R-C5)"
                ) == true
            )
            _ = try await fixture.execute("r-3", amountFen: 4_000, destination: .balance)
            let changed = await #expect(throws: RPCError.self) {
                _ = try await fixture.execute("r-1", amountFen: 7_000)
            }
            #expect(changed?.code == .failedPrecondition)
            #expect(changed?.message.contains("amount_fen 6000") == true)
            let full = await #expect(throws: RPCError.self) { _ = try await fixture.execute("r-4", amountFen: 1) }
            #expect(full?.code == .failedPrecondition)
            #expect(try await fixture.payments.refundedFen(paymentID: "payment-1") == 10_000)
            try await fixture.checkInvariants()
        }
    }

    @Test(
        "R-C2: a third-party refund pays the fee, a platform fault or the balance does not",
        arguments: TestBackend.all
    )
    func fees(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment(amountFen: 30_000)
            let wechat = try await fixture.execute("r-fee", amountFen: 10_000)
            #expect(wechat.method == .wechatPay && wechat.feeFen == 60 && wechat.netAmountFen == 9_940)
            let fault = try await fixture.execute("r-fault", amountFen: 10_000, platformFault: true)
            #expect(fault.feeFen == 0 && fault.netAmountFen == 10_000)
            let balance = try await fixture.execute("r-balance", amountFen: 10_000, destination: .balance)
            #expect(balance.method == .balance && balance.feeFen == 0)
            #expect(try await fixture.payments.balance(userID: "user-1") == 10_000)
        }
    }

    @Test(
        "R-C6: a refund left PENDING by a crash is submitted again under the same number and paid once",
        arguments: TestBackend.all
    )
    func crashLeftoverSameNumber(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment()
            // The crash: PENDING committed, the provider called, the process died before marking SENT.
            let begun = try await fixture.payments.begin(
                ExecuteRefundRequest(refundID: "r-crash", orderID: "order-1", amountFen: 3_000),
                at: fixture.clock.now
            )
            let number = begun.refund.providerRefundNo
            #expect(begun.refund.state == .pending && number == "RM-r-crash")
            let payment = try await fixture.payments.payment(orderID: "order-1", paymentID: "")
            let request = ChannelRefundRequest(
                refundNo: number,
                refundID: "r-crash",
                amountFen: 2_982,
                payment: payment
            )
            #expect(try await fixture.sandbox.submit(request) == .accepted(nil))
            // A retry of ExecuteRefund returns the stored refund with the same number.
            let retried = try await fixture.execute("r-crash", amountFen: 3_000)
            #expect(retried.providerRefundNo == number && retried.state == .pending)
            // After restart the settler submits it again: the provider dedupes, the refund is SENT.
            try await fixture.settler().settleOnce()
            #expect(try await fixture.payments.refund(id: "r-crash")?.state == .sent)
            #expect(try await fixture.sandbox.submissions(refundNo: number) == 2)
            fixture.clock.advance(by: 250)
            try await fixture.settle()
            let arrived = try #require(try await fixture.payments.refund(id: "r-crash"))
            #expect(arrived.state == .arrived && arrived.providerRefundNo == number)
            #expect(try await fixture.sandbox.paidCount() == 1)
            try await fixture.checkInvariants()
        }
    }

    @Test(
        "a provider that closes the refund makes it FAILED, with a FAILED status for intake",
        arguments: TestBackend.all
    )
    func providerFailure(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend, failureRate: 1) { fixture in
            try await fixture.recordPayment(method: .alipay)
            let sent = try await fixture.execute("r-f", amountFen: 1_000)
            #expect(sent.state == .sent)
            fixture.clock.advance(by: 200)
            try await fixture.settle()
            let failed = try #require(try await fixture.payments.refund(id: "r-f"))
            #expect(failed.state == .failed && failed.failureReason?.contains("CLOSED") == true)
            let message = try #require(try await fixture.outbox("r-f:failed", to: RefundNotices.intake))
            #expect(try StatusUpdate(serializedBytes: message.payload).state == .failed)
            #expect(
                try await fixture.payments.refundedFen(paymentID: "payment-1") == 0,
                "failed refunds moved no money"
            )
            #expect(try await fixture.payments.ledgerPositions(refundID: "r-f").isEmpty, "FAILED nets to zero")
            try await fixture.checkInvariants()
        }
    }

    @Test("provider refund numbers are derived from the refund id alone")
    func refundNumbers() {
        #expect(ProviderRefundNumber.make(refundID: "r-1") == "RM-r-1")
        let odd = ProviderRefundNumber.make(refundID: "退款/1")
        #expect(odd.hasPrefix("RMX") && odd.count == 35 && odd == ProviderRefundNumber.make(refundID: "退款/1"))
        #expect(ProviderRefundNumber.make(refundID: String(repeating: "a", count: 80)).count == 35)
    }
}
