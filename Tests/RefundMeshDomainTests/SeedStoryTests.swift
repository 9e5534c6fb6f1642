import RefundMeshAPI
import RefundMeshDomain
import Testing

/// The seed article's stories, end to end through the rules: pre-check, decision, fee, arrival.
@Suite("Seed stories")
struct SeedStoryTests {
    let policy = RefundPolicy.default

    @Test("R-R1, R-C1, R-C2: an unused card key is refunded in full to WeChat, fee 60 fen shown")
    func unusedCardKeyToWeChat() {
        let order = Fixtures.order(.cardKey, priceFen: 10_000)
        let now = Fixtures.cst("2026-11-09", hour: 10)  // a Monday
        let precheck = EligibilityCheck(policy: policy).evaluate(
            order: order,
            ground: .notUsed,
            destination: .original,
            paidWith: .wechatPay,
            materials: Fixtures.allMaterials,
            reasonStatement: Fixtures.specificReason,
            now: now
        )
        #expect(precheck.isEligible)
        #expect(precheck.refundMethod == .wechatPay)
        #expect(precheck.expectedAmountFen == 10_000)
        #expect(precheck.feeFen == 60)
        #expect(precheck.expectedArrivalMs == Fixtures.cst("2026-11-10", hour: 10))
        #expect(precheck.reason.message(.zhCN) == "符合退款条件（R-A2）：预计全额退款 ¥100.00，请于 2026-11-20 前提交。")

        let decision = AutomaticDecision.decide(
            order: order,
            ground: .notUsed,
            requestedAmountFen: 10_000,
            facts: FulfillmentFacts(cardKeyActivated: false)
        )
        #expect(decision.amountFen == 10_000)
        #expect(decision.reason.rule == .r1)
        let fee = FeeSchedule.fee(
            amountFen: decision.amountFen,
            method: precheck.refundMethod,
            platformFault: false,
            policy: policy
        )
        #expect(fee == precheck.feeFen)
    }

    @Test("R-R1: an activated card key is rejected")
    func activatedCardKey() {
        let decision = AutomaticDecision.decide(
            order: Fixtures.order(.cardKey),
            ground: .notUsed,
            requestedAmountFen: 10_000,
            facts: FulfillmentFacts(cardKeyActivated: true)
        )
        guard case .reject(let reason) = decision else {
            Issue.record("expected rejection")
            return
        }
        #expect(reason.rule == .r1)
    }

    @Test("R-R2: a failed recharge is approved")
    func failedRecharge() {
        let decision = AutomaticDecision.decide(
            order: Fixtures.order(.directRecharge, priceFen: 6_000),
            ground: .notUsed,
            requestedAmountFen: 6_000,
            facts: FulfillmentFacts(recharge: .failed)
        )
        #expect(decision.amountFen == 6_000)
        #expect(decision.reason.rule == .r2)
    }

    @Test("R-R3, R-C2: a duplicate charge is approved for the duplicate amount without fee")
    func duplicateCharge() {
        let payments = [
            CapturedPayment(paymentID: "ali-1", method: .alipay, amountFen: 10_000, capturedAtMs: Fixtures.paidAt),
            CapturedPayment(
                paymentID: "ali-2",
                method: .alipay,
                amountFen: 10_000,
                capturedAtMs: Fixtures.paidAt + 900
            ),
        ]
        let decision = AutomaticDecision.decide(
            order: Fixtures.order(.cardKey),
            ground: .duplicateCharge,
            requestedAmountFen: 10_000,
            facts: FulfillmentFacts(cardKeyActivated: true),  // the goods' state does not matter
            payments: payments
        )
        guard case .approve(10_000, "ali-2", let reason) = decision else {
            Issue.record("expected approval of ali-2, got \(decision)")
            return
        }
        #expect(reason.rule == .r3)
        let fee = FeeSchedule.fee(
            amountFen: 10_000,
            method: .alipay,
            platformFault: FeeSchedule.isPlatformFault(.duplicateCharge),
            policy: policy
        )
        #expect(fee == 0)
    }

    @Test("R-R5: a 30-day card used 10 days is offered 20/30")
    func monthlyCard() {
        let decision = AutomaticDecision.decide(
            order: Fixtures.order(.timeBased, priceFen: 3000, totalDays: 30),
            ground: .partlyUsed,
            requestedAmountFen: 3000,
            facts: FulfillmentFacts(daysUsed: 10)
        )
        #expect(decision == .offer(amountFen: 2000, reason: decision.reason))
        #expect(decision.reason.message(.zhCN).contains("剩余时长 20/30 天折算，退款 ¥20.00"))
    }
}
