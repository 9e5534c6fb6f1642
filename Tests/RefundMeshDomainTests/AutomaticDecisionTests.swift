import RefundMeshAPI
import RefundMeshDomain
import Testing

@Suite("AutomaticDecision (R-R1, R-R2, R-R3, R-R5, R-P4)")
struct AutomaticDecisionTests {
    let cardKey = Fixtures.order(.cardKey)
    let recharge = Fixtures.order(.directRecharge, priceFen: 5000)
    let monthly = Fixtures.order(.timeBased, priceFen: 3000, totalDays: 30)

    func decide(
        _ order: Order,
        _ ground: RefundGround = .notUsed,
        requested: Int64 = 0,
        facts: FulfillmentFacts = FulfillmentFacts(),
        payments: [CapturedPayment] = [],
        paymentID: String? = nil,
        flag: RuleReason? = nil
    ) -> AutomaticDecision {
        AutomaticDecision.decide(
            order: order,
            ground: ground,
            requestedAmountFen: requested,
            facts: facts,
            payments: payments,
            paymentID: paymentID,
            flag: flag
        )
    }

    @Test("R-R1: a card key not activated is approved in full")
    func cardKeyNotActivated() {
        let decision = decide(cardKey)
        guard case .approve(10_000, nil, let reason) = decision else {
            Issue.record("expected approval, got \(decision)")
            return
        }
        #expect(reason.rule == .r1)
        #expect(reason.message(.en) == "approved (R-R1): the card key was never activated; full refund of ¥100.00.")
    }

    @Test("R-R1: an activated card key is rejected (negative list)")
    func cardKeyActivated() {
        let decision = decide(cardKey, facts: FulfillmentFacts(cardKeyActivated: true))
        #expect(decision == .reject(reason: RuleReason(rule: .r1, text: RefundText.cardKeyActivated)))
        #expect(decision.reason.message(.zhCN).contains("卡密已被激活"))
        #expect(decision.amountFen == 0)
    }

    @Test("R-R2: a failed recharge is approved, a credited one rejected, an unknown one goes to a person")
    func recharges() {
        #expect(decide(recharge, facts: FulfillmentFacts(recharge: .failed)).amountFen == 5000)
        guard case .approve(_, _, let reason) = decide(recharge, facts: FulfillmentFacts(recharge: .failed)) else {
            Issue.record("expected approval")
            return
        }
        #expect(reason.rule == .r2)
        guard case .reject(let rejected) = decide(recharge, facts: FulfillmentFacts(recharge: .credited)) else {
            Issue.record("expected rejection")
            return
        }
        #expect(rejected.rule == .r2)
        guard case .manual(let manual) = decide(recharge, .deliveryFailed, facts: FulfillmentFacts(recharge: .unknown))
        else {
            Issue.record("expected manual")
            return
        }
        #expect(manual.rule == .r2)
    }

    @Test("R-R3: a second captured payment is approved for the duplicate amount")
    func duplicateCharge() {
        let payments = [
            CapturedPayment(paymentID: "wx-1", method: .wechatPay, amountFen: 10_000, capturedAtMs: 1000),
            CapturedPayment(paymentID: "wx-2", method: .wechatPay, amountFen: 9_900, capturedAtMs: 2000),
        ]
        let decision = decide(cardKey, .duplicateCharge, requested: 10_000, payments: payments)
        #expect(
            decision
                == .approve(
                    amountFen: 9_900,
                    paymentID: "wx-2",
                    reason: RuleReason(
                        rule: .r3,
                        text: RefundText.duplicateChargeApproved(amountFen: 9_900, paymentID: "wx-2")
                    )
                )
        )
        // The user may name the payment.
        guard
            case .approve(10_000, "wx-1", _) = decide(cardKey, .duplicateCharge, payments: payments, paymentID: "wx-1")
        else {
            Issue.record("expected the named payment")
            return
        }
        // A named payment that is not on record goes to a person.
        guard case .manual(let reason) = decide(cardKey, .duplicateCharge, payments: payments, paymentID: "wx-9")
        else {
            Issue.record("expected manual")
            return
        }
        #expect(reason.rule == .r3)
    }

    @Test("R-R3: a single payment on record sends a duplicate-charge claim to a person")
    func noDuplicate() {
        let one = [CapturedPayment(paymentID: "wx-1", method: .wechatPay, amountFen: 10_000, capturedAtMs: 1)]
        guard case .manual(let reason) = decide(cardKey, .duplicateCharge, payments: one) else {
            Issue.record("expected manual")
            return
        }
        #expect(reason.rule == .r3)
        #expect(reason.message(.en).contains("1 payment(s)"))
    }

    @Test("R-R3: not as described goes to a person")
    func notAsDescribed() {
        #expect(decide(cardKey, .notAsDescribed).reason.rule == .r3)
        guard case .manual = decide(cardKey, .notAsDescribed) else {
            Issue.record("expected manual")
            return
        }
    }

    @Test("R-R5: a 30-day card used 10 days is offered 20/30 of the price")
    func proRatedOffer() {
        let decision = decide(monthly, .partlyUsed, facts: FulfillmentFacts(daysUsed: 10))
        guard case .offer(2000, let reason) = decision else {
            Issue.record("expected an offer of 2000, got \(decision)")
            return
        }
        #expect(reason.rule == .r5)
        #expect(reason.message(.en).contains("20 of 30 days remain, so ¥20.00"))
    }

    @Test("R-R5: unused time-based goods are approved in full; all used rejected; no record manual")
    func timeBasedEnds() {
        #expect(decide(monthly, facts: FulfillmentFacts(daysUsed: 0)).amountFen == 3000)
        guard case .reject(let reason) = decide(monthly, .partlyUsed, facts: FulfillmentFacts(daysUsed: 30)) else {
            Issue.record("expected rejection")
            return
        }
        #expect(reason.rule == .r5)
        guard case .manual = decide(monthly, .partlyUsed) else {
            Issue.record("expected manual")
            return
        }
        // Broken order data: a person, not a crash.
        guard case .manual = decide(Fixtures.order(.timeBased, totalDays: 0), .partlyUsed, facts: .init(daysUsed: 3))
        else {
            Issue.record("expected manual")
            return
        }
    }

    @Test("R-A3: partial use of a card key is rejected")
    func partlyUsedCardKey() {
        #expect(decide(cardKey, .partlyUsed).reason.rule == .a3)
    }

    @Test("R-P4: virtual services go to a person")
    func virtualService() {
        guard case .manual(let reason) = decide(Fixtures.order(.virtualService)) else {
            Issue.record("expected manual")
            return
        }
        #expect(reason.rule == .p4)
    }

    @Test("R-A7: a flagged request goes to a person even when the records would approve")
    func flagged() {
        let flag = WithdrawalGuard().evaluate(orderWithdrawals: 4, userWithdrawalsLast24h: 0).reason
        guard case .manual(let reason) = decide(cardKey, flag: flag) else {
            Issue.record("expected manual")
            return
        }
        #expect(reason.rule == .a7)
        #expect(reason.message(.en).hasPrefix("sent to risk review by a person: refund requests for this order"))
    }

    @Test("R-C5: never more than the price; a smaller request is honoured")
    func amounts() {
        #expect(decide(cardKey, requested: 50_000).amountFen == 10_000)
        #expect(decide(cardKey, requested: 4_000).amountFen == 4_000)
    }
}
