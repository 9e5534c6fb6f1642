import Foundation
import NIOHTTP1
import Synchronization
import Testing

@testable import ProviderSandbox

/// Scripted rules and seeded random rates, and what they do to refunds.
@Suite struct BehaviourTests {
    @Test("a rule applies `times` times, then requests behave again")
    func ruleTimes() async throws {
        try await SandboxHarness.with { harness in
            try await harness.addRule(
                #"{"provider":"wechat","match":{"out_trade_no":"T-1"},"times":2,"behaviour":{"fail":"SYSTEM_ERROR"}}"#
            )
            var codes: [String] = []
            for _ in 0..<3 {
                switch try await harness.sandbox.desk.submit(RefundDeskTests.wechat("R-1", trade: "T-1", amount: 10)) {
                case .failed(let code): codes.append(code)
                case .refund: codes.append("refund")
                default: codes.append("other")
                }
            }
            #expect(codes == ["SYSTEM_ERROR", "SYSTEM_ERROR", "refund"])
            // A failed answer records nothing: the third request is the refund's first submission.
            let refund = try #require(try await harness.store.refund(provider: .wechat, refundNo: "R-1"))
            #expect(refund.submissions == 1)
            let rules = harness.sandbox.engine.rules
            #expect(rules.first?.used == 2)
        }
    }

    @Test("a rule that does not match leaves other requests alone; DELETE clears rules")
    func ruleMatching() async throws {
        try await SandboxHarness.with { harness in
            try await harness.addRule(#"{"provider":"alipay","times":0,"behaviour":{"fail":"ACQ.SYSTEM_ERROR"}}"#)
            guard
                case .refund = try await harness.sandbox.desk.submit(
                    RefundDeskTests.wechat("R-1", trade: "T", amount: 1)
                )
            else { throw HarnessError("a WeChat refund matched an Alipay rule") }
            let (status, _) = try await harness.send(.DELETE, "/sandbox/v1/rules")
            #expect(status == 200)
            #expect(harness.sandbox.engine.rules.isEmpty)
            let (refused, body) = try await harness.send(
                .POST,
                "/sandbox/v1/rules",
                json: #"{"provider":"paypal","behaviour":{}}"#
            )
            #expect(refused == 400)
            #expect(String(decoding: body, as: UTF8.self).contains("provider"))
        }
    }

    @Test("CLOSED and ABNORMAL final states move no money; CLOSED gives the amount back to the trade")
    func finalStates() async throws {
        try await SandboxHarness.with { harness in
            try await harness.addRule(
                #"{"provider":"wechat","match":{"refund_no":"R-c"},"behaviour":{"status":"CLOSED"}}"#
            )
            try await harness.addRule(
                #"{"provider":"wechat","match":{"refund_no":"R-a"},"behaviour":{"status":"ABNORMAL","settle_after_ms":0}}"#
            )
            let desk = harness.sandbox.desk
            _ = try await desk.submit(RefundDeskTests.wechat("R-c", trade: "T-1", amount: 1_000, total: 1_000))
            _ = try await desk.submit(RefundDeskTests.wechat("R-a", trade: "T-2", amount: 300, total: 1_000))
            try await SandboxHarness.until("both settled") {
                try await harness.store.refunds().allSatisfy { $0.state != .processing }
            }
            let refunds = try await harness.store.refunds()
            #expect(refunds.map(\.state) == [.closed, .abnormal])
            #expect(refunds.map(\.moneyMoved) == [0, 0])
            let trades = try await harness.store.trades()
            #expect(trades.map(\.refundedFen) == [0, 300])
            // The closed refund's amount can be refunded again with a new number.
            guard
                case .refund = try await desk.submit(
                    RefundDeskTests.wechat("R-c2", trade: "T-1", amount: 1_000, total: 1_000)
                )
            else { throw HarnessError("the amount of a closed refund was not refundable again") }
        }
    }

    @Test("R-C8: a reversal after success returns the refund ABNORMAL and reversed; money moved once")
    func reversal() async throws {
        try await SandboxHarness.with { harness in
            try await harness.addRule(#"{"provider":"*","behaviour":{"reverse_after_ms":100}}"#)
            _ = try await harness.sandbox.desk.submit(RefundDeskTests.wechat("R-r", trade: "T-r", amount: 200))
            try await SandboxHarness.until("reversed") {
                try await harness.store.refund(provider: .wechat, refundNo: "R-r")?.reversed == true
            }
            let refund = try #require(try await harness.store.refund(provider: .wechat, refundNo: "R-r"))
            #expect(refund.state == .abnormal)
            #expect(refund.moneyMoved == 1)
            #expect(refund.settledAtMs != nil && refund.reversedAtMs != nil)
            #expect(try await harness.store.trades().first?.refundedFen == 0)
            #expect(try await harness.store.stats().reversed == 1)
        }
    }

    @Test("timeout_after_commit: the refund is recorded and settles while the answer has not come")
    func timeoutAfterCommit() async throws {
        try await SandboxHarness.with { harness in
            try await harness.addRule(#"{"provider":"wechat","behaviour":{"timeout_after_commit":true}}"#)
            let answered = Flag()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    _ = try await harness.sandbox.desk.submit(RefundDeskTests.wechat("R-t", trade: "T-t", amount: 100))
                    answered.raise()
                }
                try await SandboxHarness.until("money moved") {
                    try await harness.store.refund(provider: .wechat, refundNo: "R-t")?.moneyMoved == 1
                }
                #expect(!answered.isRaised)  // money moved, no answer yet
                group.cancelAll()  // the client gives up
            }
            #expect(try await harness.store.stats().counters["timeouts_after_commit"] == 1)
        }
    }

    @Test("the same seed gives the same faults; another seed other faults")
    func seededRates() async throws {
        func run(seed: UInt64) async throws -> [String] {
            try await SandboxHarness.with { harness in
                let (status, _) = try await harness.send(
                    .PUT,
                    "/sandbox/v1/rates",
                    json: #"{"fail":0.3,"closed":0.3,"timeout_after_commit":0,"seed":\#(seed)}"#
                )
                #expect(status == 200)
                var outcomes: [String] = []
                for index in 0..<40 {
                    switch try await harness.sandbox.desk.submit(
                        RefundDeskTests.wechat("R-\(index)", trade: "T-\(index)", amount: 10)
                    ) {
                    case .failed: outcomes.append("fail")
                    case .refund(let refund, _): outcomes.append(refund.finalState.rawValue)
                    default: outcomes.append("other")
                    }
                }
                return outcomes
            }
        }
        let first = try await run(seed: 42)
        let again = try await run(seed: 42)
        let other = try await run(seed: 7)
        #expect(first == again)
        #expect(first != other)
        #expect(first.contains("fail") && first.contains("CLOSED") && first.contains("SUCCESS"))
    }

    @Test("rates out of range are refused with the field's name")
    func invalidRates() async throws {
        try await SandboxHarness.with { harness in
            let (status, body) = try await harness.send(.PUT, "/sandbox/v1/rates", json: #"{"fail":1.5}"#)
            #expect(status == 400)
            #expect(String(decoding: body, as: UTF8.self).contains("fail"))
        }
    }

    @Test("records survive a restart of the sandbox; refunds due meanwhile settle after it")
    func restart() async throws {
        let directory = SandboxHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SandboxHarness.with(dataDirectory: directory, Tweak { $0.walletSettle = .milliseconds(300) }) {
            harness in
            _ = try await harness.sandbox.desk.submit(
                RefundDeskTests.wechat("R-keep", trade: "T-k", amount: 700, total: 1_000)
            )
        }
        try await SandboxHarness.with(dataDirectory: directory) { harness in
            try await SandboxHarness.until("settled after restart") {
                try await harness.store.refund(provider: .wechat, refundNo: "R-keep")?.state == .success
            }
            // The same number after the restart is still the same refund, and the total still holds.
            guard
                case .refund(let refund, isNew: false) = try await harness.sandbox.desk.submit(
                    RefundDeskTests.wechat("R-keep", trade: "T-k", amount: 700, total: 1_000)
                )
            else { throw HarnessError("the refund was forgotten across the restart") }
            #expect(refund.moneyMoved == 1)
            guard
                case .refused(.exceedsTrade) = try await harness.sandbox.desk.submit(
                    RefundDeskTests.wechat("R-new", trade: "T-k", amount: 400, total: 1_000)
                )
            else { throw HarnessError("the trade's refunded amount was forgotten across the restart") }
        }
    }
}

/// A flag one task raises and another reads.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func raise() { value.store(true, ordering: .sequentiallyConsistent) }
    var isRaised: Bool { value.load(ordering: .sequentiallyConsistent) }
}
