import Foundation
import NIOHTTP1
import RefundMeshProviders
import Testing

@testable import ProviderSandbox

/// What a mesh test reads from the sandbox after a run with faults: money moved at most once per
/// refund number and no trade refunded beyond its total (R-C5, R-C6), whatever the client did.
@Suite struct InvariantTests {
    @Test("seeded faults with retries on the same number: never paid twice, never beyond a trade's total")
    func invariantsUnderFaults() async throws {
        try await SandboxHarness.with { harness in
            let (status, _) = try await harness.send(
                .PUT,
                "/sandbox/v1/rates",
                json: #"{"timeout_after_commit":0.1,"fail":0.2,"closed":0.1,"abnormal":0.05,"reverse":0.05,"#
                    + #""duplicate_notifications":0.3,"settle_after_ms":50,"reverse_after_ms":50,"seed":7}"#
            )
            #expect(status == 200)
            let client = try harness.weChatPay(timeoutMs: 2_000)
            var refused = 0
            for index in 0..<30 {
                let request = WeChatPayRefundRequest(
                    outTradeNo: "T-\(index % 5)",
                    outRefundNo: "R-\(index)",
                    amount: .init(refund: 150, total: 1_000)
                )
                // Like payment-channel (R-C6): an unknown outcome is retried with the same number.
                attempts: for _ in 0..<20 {
                    do {
                        _ = try await client.createRefund(request)
                        break attempts
                    } catch let error as ProviderError where error.code == .refused {
                        refused += 1
                        break attempts
                    } catch let error as ProviderError where error.outcomeIsUnknown || error.code == .rateLimited {
                        continue attempts
                    }
                }
            }
            try await SandboxHarness.until("every refund final") {
                try await harness.refunds().allSatisfy { $0.state != .processing && $0.reverseAtMs == nil }
            }
            let stats = try await harness.stats()
            #expect(stats.maxMoneyMovedPerRefund <= 1)
            #expect(stats.tradesOverTotal == 0)
            #expect(stats.counters["failed_answers", default: 0] > 0)
            #expect(stats.counters["timeouts_after_commit", default: 0] > 0)
            let refunds = try await harness.refunds()
            #expect(Set(refunds.map(\.refundNo)).count == refunds.count)
            #expect(refunds.count + refused == 30)
            for trade in try await harness.store.trades() {
                let live = refunds.filter { $0.tradeNo == trade.tradeNo && $0.state != .closed && !$0.reversed }
                #expect(live.reduce(0) { $0 + $1.amountFen } <= trade.totalFen)
            }
        }
    }

    @Test("latency_ms delays the answer by at least that long")
    func latency() async throws {
        try await SandboxHarness.with { harness in
            try await harness.addRule(#"{"provider":"wechat","behaviour":{"latency_ms":400}}"#)
            let client = try harness.weChatPay()
            let started = ContinuousClock.now
            _ = try await client.createRefund(
                WeChatPayRefundRequest(outTradeNo: "T-l", outRefundNo: "R-l", amount: .init(refund: 1, total: 1))
            )
            #expect(ContinuousClock.now - started >= .milliseconds(400))
        }
    }
}
