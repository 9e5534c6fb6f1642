import Foundation
import Testing

@testable import ProviderSandbox

/// The provider-neutral refund rules, exercised in-process against a running sandbox's records:
/// one refund per refund number (R-C6), never beyond the trade (R-C5), the providers' limits
/// (R-C7) and scripted behaviour.
@Suite struct RefundDeskTests {
    static func wechat(
        _ refundNo: String,
        trade: String,
        amount: Int64,
        total: Int64 = 10_000,
        notify: String? = nil
    )
        -> RefundSubmission
    {
        RefundSubmission(
            provider: .wechat,
            merchant: "1900000109",
            refundNo: refundNo,
            tradeNo: trade,
            amountFen: amount,
            totalFen: total,
            notifyURL: notify,
            reason: "test"
        )
    }

    @Test("R-C6: the same refund number three times is one refund; money moves once")
    func resubmissionAnswersTheExistingRefund() async throws {
        try await SandboxHarness.with { harness in
            let desk = harness.sandbox.desk
            var ids: [String] = []
            for _ in 0..<3 {
                guard case .refund(let refund, _) = try await desk.submit(Self.wechat("R-1", trade: "T-1", amount: 500))
                else { throw HarnessError("not answered with a refund") }
                ids.append(refund.providerRefundID)
            }
            #expect(Set(ids).count == 1)
            try await SandboxHarness.until("R-1 settled") {
                try await harness.store.refund(provider: .wechat, refundNo: "R-1")?.state == .success
            }
            let refund = try #require(try await harness.store.refund(provider: .wechat, refundNo: "R-1"))
            #expect(refund.submissions == 3)
            #expect(refund.moneyMoved == 1)
            let stats = try await harness.store.stats()
            #expect(stats.refunds == 1)
            #expect(stats.moneyMovedFen == 500)
            #expect(stats.counters["duplicates_refused"] == 2)
            #expect(stats.maxMoneyMovedPerRefund == 1)
        }
    }

    @Test("R-C5: concurrent refunds of one trade never add up to more than its total")
    func tradeTotalIsNeverExceeded() async throws {
        try await SandboxHarness.with { harness in
            let desk = harness.sandbox.desk
            let answers = try await withThrowingTaskGroup(of: RefundDesk.Answer.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await desk.submit(Self.wechat("R-\(index)", trade: "T-cap", amount: 700, total: 5_000))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var accepted = 0
            var exceeded = 0
            for answer in answers {
                switch answer {
                case .refund: accepted += 1
                case .refused(.exceedsTrade(let requested, let remaining)):
                    #expect(requested > remaining)
                    exceeded += 1
                default: Issue.record("unexpected answer \(answer)")
                }
            }
            #expect(accepted == 7)  // 7 × 700 = 4900 ≤ 5000 < 8 × 700
            #expect(exceeded == 13)
            let trade = try #require(try await harness.store.trades(provider: .wechat).first)
            #expect(trade.refundedFen == 4_900)
            #expect(try await harness.store.stats().tradesOverTotal == 0)
        }
    }

    @Test("a WeChat request whose total differs from the trade's is refused")
    func totalMismatchIsRefused() async throws {
        try await SandboxHarness.with { harness in
            _ = try await harness.sandbox.desk.submit(Self.wechat("R-a", trade: "T-m", amount: 100, total: 1_000))
            let answer = try await harness.sandbox.desk.submit(
                Self.wechat("R-b", trade: "T-m", amount: 100, total: 9_000)
            )
            guard case .refused(.totalMismatch(1_000, 9_000)) = answer else {
                Issue.record("expected a total mismatch, got \(answer)")
                return
            }
        }
    }

    @Test("R-C7: WeChat's one refund per order per interval, refunds per order and 365 days")
    func weChatTradeLimits() async throws {
        try await SandboxHarness.with(
            Tweak {
                $0.limits.wechatOrderInterval = .seconds(60)
                $0.limits.wechatMaxRefundsPerOrder = 2
            }
        ) { harness in
            let desk = harness.sandbox.desk
            guard case .refund = try await desk.submit(Self.wechat("R-1", trade: "T-1", amount: 100)) else {
                throw HarnessError("first refund not accepted")
            }
            guard
                case .refused(.tooSoon(let wait)) = try await desk.submit(Self.wechat("R-2", trade: "T-1", amount: 100))
            else { throw HarnessError("second refund within the interval was not limited") }
            #expect(wait > 0 && wait <= 60_000)
            // The same refund number again is not a new refund: answered, not limited.
            guard case .refund(_, isNew: false) = try await desk.submit(Self.wechat("R-1", trade: "T-1", amount: 100))
            else { throw HarnessError("resubmission was limited") }
            let stats = try await harness.store.stats()
            #expect(stats.counters["rate_limited"] == 1)
            #expect(stats.refunds == 1)

            let paidLongAgo = harness.sandbox.desk.now() - 366 * 86_400_000
            try await harness.store.register(
                ProviderTrade(
                    provider: .wechat,
                    tradeNo: "T-old",
                    merchant: "m",
                    totalFen: 10_000,
                    paidAtMs: paidLongAgo
                )
            )
            guard
                case .refused(.windowClosed(_, 365)) = try await desk.submit(
                    Self.wechat("R-old", trade: "T-old", amount: 1)
                )
            else { throw HarnessError("a trade paid 366 days ago was refunded") }
        }
        try await SandboxHarness.with(Tweak { $0.limits.wechatMaxRefundsPerOrder = 2 }) { harness in
            let desk = harness.sandbox.desk
            for index in 0..<2 { _ = try await desk.submit(Self.wechat("R-\(index)", trade: "T-n", amount: 10)) }
            guard
                case .refused(.tooManyRefunds(2)) = try await desk.submit(Self.wechat("R-9", trade: "T-n", amount: 10))
            else { throw HarnessError("a third refund of the order was accepted with a limit of 2") }
        }
    }

    @Test("R-C7: WeChat's per-merchant request rate answers FREQUENCY_LIMITED and moves nothing")
    func weChatMerchantRate() async throws {
        try await SandboxHarness.with(Tweak { $0.limits.wechatMerchantRPS = 1 }) { harness in
            var limited = 0
            for index in 0..<10 {
                if case .merchantRateLimited = try await harness.sandbox.desk.submit(
                    Self.wechat("R-\(index)", trade: "T-\(index)", amount: 10)
                ) {
                    limited += 1
                }
            }
            // A burst of 10 against 1/s: all but the first and what refilled meanwhile (generous for slow CI).
            #expect(limited >= 1)
            let stats = try await harness.store.stats()
            #expect(stats.refunds == 10 - limited)
            #expect(stats.counters["rate_limited"] == limited)
        }
    }

    @Test("R-C7: Alipay's interval between refunds of one trade")
    func alipayTradeInterval() async throws {
        try await SandboxHarness.with(Tweak { $0.limits.alipayTradeInterval = .seconds(3) }) { harness in
            var submission = Self.wechat("A-1", trade: "AT-1", amount: 100)
            submission.provider = .alipay
            submission.totalFen = nil
            _ = try await harness.sandbox.desk.submit(submission)
            submission.refundNo = "A-2"
            guard case .refused(.tooSoon(let wait)) = try await harness.sandbox.desk.submit(submission) else {
                throw HarnessError("second Alipay refund within 3 s was accepted")
            }
            #expect(wait > 0 && wait <= 3_000)
        }
    }
}
