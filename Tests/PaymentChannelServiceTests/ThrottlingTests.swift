import Foundation
import PaymentChannelService
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC
import RefundMeshStoreTestSupport
import Testing

@Suite("Throttling and provider limits (R-C7)")
struct ThrottlingTests {
    @Test(
        "a rate-limited answer reschedules the refund (never fails it); it is submitted again and succeeds",
        arguments: TestBackend.all
    )
    func rateLimitedWaits(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            try await fixture.recordPayment()
            var limited = SandboxChannelAdapter.Behaviour()
            limited.rateLimited = true
            limited.retryAfterMs = 2_000
            fixture.sandbox.setBehaviour(limited, times: 2)
            let first = try await fixture.execute("r-rl", amountFen: 3_000)
            #expect(first.state == .pending && first.notBeforeMs == fixture.clock.now + 2_000)
            try await fixture.settler().settleOnce()
            #expect(try await fixture.refund("r-rl").state == .pending, "not before its time")
            fixture.clock.advance(by: 2_000)
            try await fixture.settler().settleOnce()
            let second = try await fixture.refund("r-rl")
            #expect(
                second.state == .pending && second.notBeforeMs == fixture.clock.now + 2_000,
                "limited again: waits again"
            )
            fixture.clock.advance(by: 2_000)
            try await fixture.settler().settleOnce()
            #expect(try await fixture.refund("r-rl").state == .sent)
            fixture.clock.advance(by: 200)
            try await fixture.settle()
            #expect(try await fixture.refund("r-rl").state == .arrived)
            let log = try await fixture.sandbox.submissionLog(paymentID: "payment-1").map(\.outcome)
            #expect(log == ["rate-limited", "rate-limited", "accepted"])
            try await fixture.checkInvariants()
        }
    }

    @Test(
        "per-trade interval: refunds of one Alipay trade reach the provider at least 3 s apart, and survive a restart"
    )
    func perOrderInterval() async throws {
        var settings = PaymentChannelConfiguration.testing
        settings.orderIntervalMs[.alipay] = 3_000
        // The sandbox enforces the same rule, as Alipay does: violating it would show as refusals.
        var fixture = try PaymentFixture(settings: settings, sandboxOrderIntervalMs: 3_000)
        defer { fixture.remove() }
        try await fixture.recordPayment(method: .alipay, amountFen: 10_000)
        for index in 0..<4 {
            _ = try await fixture.execute("r-\(index)", amountFen: 1_000)
        }
        #expect(try await fixture.refund("r-0").state == .sent)
        #expect(try await fixture.refund("r-1").state == .pending, "queued, not failed")
        var restarted = false
        for step in 0..<20 {
            fixture.clock.advance(by: 500)
            if step == 5, !restarted {
                // A restart in the middle: the trade's slot is stored, so the interval still holds.
                fixture = try fixture.reopened(settings: settings)
                restarted = true
            }
            try await fixture.settler().settleOnce()
        }
        let log = try await fixture.sandbox.submissionLog(paymentID: "payment-1")
        #expect(log.map(\.outcome) == ["accepted", "accepted", "accepted", "accepted"])
        let times = log.map(\.atMs)
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect(later - earlier >= 3_000, "submissions at \(times)")
        }
        try await fixture.settle()
        try await fixture.checkInvariants()
    }

    @Test("token bucket: one second of burst, then the configured rate; the wait is when a token is back")
    func tokenBucket() {
        var bucket = TokenBucket(capacity: 2, tokens: 2, updatedAtMs: 0)
        #expect(bucket.take(ratePerSecond: 2, at: 0) == nil)
        #expect(bucket.take(ratePerSecond: 2, at: 0) == nil)
        #expect(bucket.take(ratePerSecond: 2, at: 0) == 500)
        #expect(bucket.take(ratePerSecond: 2, at: 499) == 500)
        #expect(bucket.take(ratePerSecond: 2, at: 400) == 500, "an earlier clock reading takes nothing")
        #expect(bucket.take(ratePerSecond: 2, at: 500) == nil)
    }

    @Test(
        "channel rate per merchant: with 2 calls/s, the third submission in one instant waits its turn",
        arguments: TestBackend.all
    )
    func channelRate(_ backend: TestBackend) async throws {
        var settings = PaymentChannelConfiguration.testing
        settings.callsPerSecond[.wechatPay] = 2
        try await PaymentFixture.with(backend, settings: settings) { fixture in
            for index in 0..<3 {
                try await fixture.recordPayment(id: "p-\(index)", order: "o-\(index)")
            }
            var states: [RefundPayment.State] = []
            for index in 0..<3 {
                states.append(try await fixture.execute("r-\(index)", amountFen: 100, order: "o-\(index)").state)
            }
            #expect(states == [.sent, .sent, .pending])
            #expect(try await fixture.refund("r-2").notBeforeMs == fixture.clock.now + 500)
            fixture.clock.advance(by: 500)
            try await fixture.settler().settleOnce()
            #expect(try await fixture.refund("r-2").state == .sent)
        }
    }

    @Test(
        "WeChat: a 51st refund of one trade and one 365 days after payment are refused before calling, saying why",
        arguments: TestBackend.all
    )
    func weChatLimits(_ backend: TestBackend) async throws {
        var settings = PaymentChannelConfiguration.testing
        settings.wechatMaxRefundsPerOrder = 3
        try await PaymentFixture.with(backend, settings: settings) { fixture in
            try await fixture.recordPayment()
            for index in 0..<3 { _ = try await fixture.execute("r-\(index)", amountFen: 100) }
            let tooMany = await #expect(throws: RPCError.self) { _ = try await fixture.execute("r-3", amountFen: 100) }
            #expect(tooMany?.code == .failedPrecondition)
            #expect(tooMany?.message.contains("at most 3 per order (R-C7)") == true)
            let balance = try await fixture.execute("r-4", amountFen: 100, destination: .balance)
            #expect(balance.state == .arrived, "the balance is still possible")
            try await fixture.recordPayment(
                id: "old",
                order: "order-old",
                capturedAtMs: fixture.clock.now - 366 * 86_400_000
            )
            let old = await #expect(throws: RPCError.self) {
                _ = try await fixture.execute("r-old", amountFen: 100, order: "order-old")
            }
            #expect(old?.message.contains("more than 365 days ago") == true)
            let quoted = await #expect(throws: RPCError.self) {
                _ = try await fixture.handler.quote(QuoteRequest(orderID: "order-old", amountFen: 100), context: .test)
            }
            #expect(quoted?.message.contains("more than 365 days ago") == true, "the pre-check says so too (R-A6)")
            #expect(try await fixture.sandbox.submissionLog(paymentID: "old").isEmpty, "the provider was never asked")
        }
    }
}
