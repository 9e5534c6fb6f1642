import Foundation
import PaymentChannelService
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC
import RefundMeshStore
import RefundMeshStoreTestSupport
import Testing

@Suite("Provider statuses and notifications (R-C6, R-C8, R-C9)")
struct ProviderStatusTests {
    @Test(
        "R-C9: a SUCCESS notification before our SENT commit, twice, then a stale PROCESSING: recorded once",
        arguments: TestBackend.all
    )
    func notificationOrdering(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment()
            // PENDING is committed; the provider call is still under way when the notification comes.
            let begun = try await fixture.payments.begin(
                ExecuteRefundRequest(refundID: "r-1", orderID: "order-1", amountFen: 4_000),
                at: fixture.clock.now
            )
            let number = begun.refund.providerRefundNo
            let success = ChannelRefundStatus.succeeded(atMs: fixture.clock.now)
            for _ in 0..<2 {
                let outcome = try await fixture.payments.applyProviderStatus(
                    providerRefundNo: number,
                    status: success,
                    source: .notification,
                    at: fixture.clock.now
                )
                guard case .applied(let refund, _) = outcome else {
                    Issue.record("the notification found no refund")
                    return
                }
                #expect(refund.state == .arrived)
            }
            // The submission's own answer arrives after the notification: nothing moves back.
            #expect(
                try await fixture.payments.applySubmission("r-1", answer: .accepted(nil), at: fixture.clock.now)?.state
                    == .arrived
            )
            _ = try await fixture.payments.applyProviderStatus(
                providerRefundNo: number,
                status: .processing,
                source: .notification,
                at: fixture.clock.now
            )
            #expect(try await fixture.refund("r-1").state == .arrived)
            let movements = try await fixture.payments.ledgerEntries(refundID: "r-1").map(\.movement)
            #expect(movements == ["begin", "sent", "arrived"], "each movement posted once")
            #expect(
                try await fixture.outboxEventIDs().filter { $0.hasPrefix("r-1:") }.sorted() == [
                    "r-1:money-arrived@intake", "r-1:money-arrived@notification", "r-1:money-sent@intake",
                    "r-1:money-sent@notification",
                ]
            )
            let unknown = try await fixture.payments.applyProviderStatus(
                providerRefundNo: "RM-nope",
                status: success,
                source: .notification,
                at: fixture.clock.now
            )
            #expect(unknown == .unknownRefund)
        }
    }

    @Test(
        "R-C6: the provider commits but the answer is lost; the retry uses the same number and pays once",
        arguments: TestBackend.all
    )
    func timeoutAfterCommit(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment(method: .alipay)
            var lost = SandboxChannelAdapter.Behaviour()
            lost.timeoutAfterCommit = true
            fixture.sandbox.setBehaviour(lost, times: 1)
            let first = try await fixture.execute("r-t", amountFen: 5_000)
            #expect(first.state == .pending, "no answer: still PENDING, attempt counted")
            let number = first.providerRefundNo
            #expect(try await fixture.refund("r-t").attempts == 1)
            // The backoff holds the retry for a second; then the settler submits the same number.
            try await fixture.settler().settleOnce()
            #expect(try await fixture.sandbox.submissions(refundNo: number) == 1)
            fixture.clock.advance(by: 1_000)
            try await fixture.settler().settleOnce()
            #expect(try await fixture.refund("r-t").state == .sent)
            #expect(try await fixture.sandbox.submissions(refundNo: number) == 2)
            fixture.clock.advance(by: 200)
            try await fixture.settle()
            #expect(try await fixture.refund("r-t").state == .arrived)
            #expect(try await fixture.sandbox.paidCount() == 1)
            try await fixture.checkInvariants()
        }
    }

    @Test(
        "R-C8: a reversal after success reopens the refund (REVERSED), reverses the ledger, alerts, tells intake",
        arguments: TestBackend.all
    )
    func reversalAfterSuccess(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment(method: .bankCard)
            var reversing = SandboxChannelAdapter.Behaviour()
            reversing.reverseAfterMs = 1_000
            fixture.sandbox.setBehaviour(reversing)
            _ = try await fixture.execute("r-rev", amountFen: 10_000)
            fixture.clock.advance(by: 600)
            try await fixture.settle()
            #expect(try await fixture.refund("r-rev").state == .arrived)
            try await fixture.checkInvariants()
            fixture.clock.advance(by: 1_000)
            try await fixture.settle()
            let reversed = try await fixture.refund("r-rev")
            #expect(reversed.state == .reversed && reversed.failureReason?.contains("returned") == true)
            #expect(
                try await fixture.payments.ledgerEntries(refundID: "r-rev").map(\.movement) == [
                    "begin", "sent", "arrived", "reversed",
                ]
            )
            let alerts = try await fixture.payments.alerts(refundID: "r-rev")
            #expect(alerts.map(\.kind) == ["reversed"])
            let intakeIDs = try await fixture.outboxEventIDs().filter { $0.hasPrefix("r-rev:reversed-") }
            #expect(intakeIDs.count == 3, "operators, the user and intake hear of it: \(intakeIDs)")
            let statusID = try #require(intakeIDs.first { $0.hasSuffix("@intake") })
            let message = try #require(try await fixture.store.read { db in try Outbox.message(db, eventID: statusID) })
            #expect(try StatusUpdate(serializedBytes: message.payload).state == .moneyReversed)
            // Seen again: nothing more happens.
            try await fixture.settle()
            #expect(try await fixture.payments.alerts(refundID: "r-rev").count == 1)
            // R-C5: a reversed refund still counts against the payment (it is owed again).
            #expect(try await fixture.payments.refundedFen(paymentID: "payment-1") == 10_000)
            // Resolved to the balance: credited the full amount once, no fee (R-C1, R-C2).
            let resolved = try await fixture.handler.resolveRefund(
                ResolveRefundRequest(refundID: "r-rev", action: .toBalance, operatorID: "op-1", note: "card closed"),
                context: .test
            )
            #expect(resolved.state == .arrived && resolved.resolution == "to-balance")
            #expect(try await fixture.payments.balance(userID: "user-1") == 10_000)
            let retry = await #expect(throws: RPCError.self) {
                _ = try await fixture.handler.resolveRefund(
                    ResolveRefundRequest(refundID: "r-rev", action: .retryOriginal, operatorID: "op-1"),
                    context: .test
                )
            }
            #expect(retry?.code == .failedPrecondition)
            try await fixture.checkInvariants()
        }
    }

    @Test(
        "R-C8: ABNORMAL waits for a person; TO_BALANCE credits once, and a later SUCCESS is flagged paid-twice",
        arguments: TestBackend.all
    )
    func abnormalToBalance(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment()
            var abnormal = SandboxChannelAdapter.Behaviour()
            abnormal.finalStatus = .abnormal(reason: "")
            fixture.sandbox.setBehaviour(abnormal)
            _ = try await fixture.execute("r-ab", amountFen: 8_000)
            fixture.clock.advance(by: 200)
            try await fixture.settle()
            let waiting = try await fixture.refund("r-ab")
            #expect(
                waiting.state == .abnormal && waiting.nextQueryAtMs == nil,
                "not final, not queried: a person decides"
            )
            #expect(try await fixture.payments.alerts(refundID: "r-ab").map(\.kind) == ["abnormal"])
            try await fixture.checkInvariants()
            let missingOperator = await #expect(throws: RPCError.self) {
                _ = try await fixture.handler.resolveRefund(
                    ResolveRefundRequest(refundID: "r-ab", action: .toBalance),
                    context: .test
                )
            }
            #expect(missingOperator?.code == .invalidArgument)
            let request = ResolveRefundRequest(
                refundID: "r-ab",
                action: .toBalance,
                operatorID: "op-7",
                note: "user asked"
            )
            let results = try await withThrowingTaskGroup(of: RefundPayment.self) { group in
                for _ in 0..<5 { group.addTask { try await fixture.handler.resolveRefund(request, context: .test) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.state == .arrived && $0.resolution == "to-balance" })
            #expect(
                try await fixture.payments.balance(userID: "user-1") == 8_000,
                "credited once, the full amount (R-C2)"
            )
            #expect(try await fixture.outbox("r-ab:to-balance", to: RefundNotices.intake) != nil)
            try await fixture.checkInvariants()
            // The provider pays the ABNORMAL refund after all: the books show the overpayment, an alert says so.
            _ = try await fixture.payments.applyProviderStatus(
                providerRefundNo: waiting.providerRefundNo,
                status: .succeeded(atMs: fixture.clock.now),
                source: .notification,
                at: fixture.clock.now
            )
            #expect(try await fixture.payments.alerts(refundID: "r-ab").map(\.kind).contains("paid-twice"))
            #expect(try await fixture.payments.trialBalance().isBalanced)
            #expect(try await fixture.payments.balance(userID: "user-1") == 8_000)
        }
    }

    @Test(
        "a refusal fails the refund with the provider's code; a late SUCCESS after FAILED is booked and alerted",
        arguments: TestBackend.all
    )
    func refusedAndLateSuccess(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment(method: .alipay)
            var refuse = SandboxChannelAdapter.Behaviour()
            refuse.refuse = ("trade closed", "ACQ.TRADE_HAS_CLOSE")
            fixture.sandbox.setBehaviour(refuse, times: 1)
            let refused = try await fixture.execute("r-no", amountFen: 1_000)
            #expect(refused.state == .failed && refused.failureReason.contains("ACQ.TRADE_HAS_CLOSE"))
            try await fixture.checkInvariants()
            _ = try await fixture.payments.applyProviderStatus(
                providerRefundNo: refused.providerRefundNo,
                status: .succeeded(atMs: fixture.clock.now),
                source: .query,
                at: fixture.clock.now
            )
            #expect(try await fixture.refund("r-no").state == .arrived)
            #expect(try await fixture.payments.alerts(refundID: "r-no").map(\.kind) == ["late-success"])
            #expect(try await fixture.payments.trialBalance().isBalanced)
        }
    }

    @Test("Alipay fund_change=Y in the submission answer: ARRIVED at once, no query needed", arguments: TestBackend.all)
    func immediateSuccess(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment(method: .alipay)
            var moved = SandboxChannelAdapter.Behaviour()
            moved.immediateSuccess = true
            fixture.sandbox.setBehaviour(moved)
            let refund = try await fixture.execute("r-y", amountFen: 2_000)
            #expect(refund.state == .arrived)
            try await fixture.checkInvariants()
        }
    }

    @Test("state machine: final states move only for a reversal or a late success", arguments: TestBackend.all)
    func stateMachine(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment(amountFen: 50_000)
            _ = try await fixture.execute("r-a", amountFen: 1_000)
            fixture.clock.advance(by: 200)
            try await fixture.settle()
            let arrived = try await fixture.refund("r-a")
            #expect(arrived.state == .arrived)
            for status in [ChannelRefundStatus.processing, .closed(reason: "x"), .notFound, .succeeded(atMs: 1)] {
                _ = try await fixture.payments.applyProviderStatus(
                    providerRefundNo: arrived.providerRefundNo,
                    status: status,
                    source: .notification,
                    at: fixture.clock.now
                )
                #expect(try await fixture.refund("r-a").state == .arrived, "\(status) must not move ARRIVED")
            }
            #expect(try await fixture.payments.alerts(refundID: "r-a").map(\.kind) == ["conflicting-status"])
            try await fixture.checkInvariants()
        }
    }

    @Test(
        "R-C8: WeChat ABNORMAL after SUCCESS is a reversal; after ABNORMAL → RETRY_ORIGINAL → SUCCESS a late ABNORMAL only alerts"
    )
    func abnormalAfterSuccess() async throws {
        let fixture = try PaymentFixture()
        defer { fixture.remove() }
        try await fixture.recordPayment(amountFen: 20_000)
        _ = try await fixture.execute("r-ret", amountFen: 5_000)
        fixture.clock.advance(by: 200)
        try await fixture.settle()
        let arrived = try await fixture.refund("r-ret")
        #expect(arrived.state == .arrived)
        _ = try await fixture.payments.applyProviderStatus(
            providerRefundNo: arrived.providerRefundNo,
            status: .abnormal(reason: "refund returned by the bank"),
            source: .notification,
            at: fixture.clock.now
        )
        #expect(try await fixture.refund("r-ret").state == .reversed)
        try await fixture.checkInvariants()

        var abnormal = SandboxChannelAdapter.Behaviour()
        abnormal.finalStatus = .abnormal(reason: "")
        fixture.sandbox.setBehaviour(abnormal, for: "RM-r-ab2")
        _ = try await fixture.execute("r-ab2", amountFen: 5_000)
        fixture.clock.advance(by: 200)
        try await fixture.settle()
        #expect(try await fixture.refund("r-ab2").state == .abnormal)
        let retried = try await fixture.handler.resolveRefund(
            ResolveRefundRequest(refundID: "r-ab2", action: .retryOriginal, operatorID: "op-1", note: "card reissued"),
            context: .test
        )
        #expect(retried.state == .sent && retried.resolution == "retry-original")
        #expect(try await fixture.sandbox.submissions(refundNo: "RM-r-ab2") == 2, "asked again under the same number")
        try await fixture.checkInvariants()
        for status in [ChannelRefundStatus.succeeded(atMs: fixture.clock.now), .abnormal(reason: "stale")] {
            _ = try await fixture.payments.applyProviderStatus(
                providerRefundNo: "RM-r-ab2",
                status: status,
                source: .notification,
                at: fixture.clock.now
            )
        }
        #expect(try await fixture.refund("r-ab2").state == .arrived, "a stale ABNORMAL does not reverse it")
        #expect(try await fixture.payments.alerts(refundID: "r-ab2").map(\.kind).contains("conflicting-status"))
        #expect(try await fixture.payments.trialBalance().isBalanced)
    }

    @Test(
        "R-C6: a SENT refund the provider lost (query: not found) is submitted again once, same number, then settles",
        arguments: TestBackend.all
    )
    func providerLostIt(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment()
            _ = try await fixture.payments.begin(
                ExecuteRefundRequest(refundID: "r-lost", orderID: "order-1", amountFen: 2_000),
                at: fixture.clock.now
            )
            try await fixture.payments.applySubmission("r-lost", answer: .accepted(nil), at: fixture.clock.now)
            #expect(
                try await fixture.sandbox.submissions(refundNo: "RM-r-lost") == 0,
                "ours says SENT, the provider has nothing"
            )
            fixture.clock.advance(by: 60_000)
            try await fixture.settler().settleOnce()
            #expect(try await fixture.sandbox.submissions(refundNo: "RM-r-lost") == 1)
            let rescheduled = try await fixture.refund("r-lost")
            #expect(rescheduled.state == .sent && rescheduled.nextQueryAtMs == fixture.clock.now + 120_000)
            try await fixture.settler().settleOnce()
            #expect(try await fixture.sandbox.submissions(refundNo: "RM-r-lost") == 1, "not asked again at once")
            fixture.clock.advance(by: 200)
            try await fixture.settle()
            #expect(try await fixture.refund("r-lost").state == .arrived)
            try await fixture.checkInvariants()
        }
    }
}
