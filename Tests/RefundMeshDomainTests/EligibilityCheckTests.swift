import RefundMeshAPI
import RefundMeshDomain
import Testing

@Suite("EligibilityCheck (R-A2 … R-A6): would this qualify, and what is missing?")
struct EligibilityCheckTests {
    let check = EligibilityCheck()
    let cardKey = Fixtures.order(.cardKey)

    func evaluate(
        _ order: Order,
        _ ground: RefundGround = .notUsed,
        materials: [MaterialKind] = Fixtures.allMaterials,
        reason: String = Fixtures.specificReason,
        daysUsed: Int? = nil,
        paidWith: PaymentMethod = .wechatPay,
        destination: Destination = .original,
        now: Int64
    ) -> Eligibility {
        check.evaluate(
            order: order,
            ground: ground,
            destination: destination,
            paidWith: paidWith,
            materials: materials,
            reasonStatement: reason,
            daysUsed: daysUsed,
            now: now
        )
    }

    @Test("R-A4: the deadline is the end of the 15th day after payment, China time")
    func deadline() {
        #expect(check.deadline(for: cardKey) == Fixtures.cst("2026-11-21", hour: 0) - 1)
    }

    @Test("R-A4: a request on day 15 is accepted")
    func dayFifteen() {
        let result = evaluate(cardKey, now: Fixtures.cst("2026-11-20", hour: 23, minute: 59))
        #expect(result.isEligible)
        #expect(result.reason.rule == .a2)
        #expect(result.expectedAmountFen == 10_000)
        #expect(!result.isProRated)
    }

    @Test("R-A4: a request on day 16 is late")
    func daySixteen() {
        let result = evaluate(cardKey, now: Fixtures.cst("2026-11-21", hour: 0, minute: 1))
        #expect(!result.isEligible)
        #expect(result.reason.rule == .a4)
        #expect(
            result.reason.message(.en)
                == "refund window closed on 2026-11-20 (R-A4): requests for card keys must come within 15 days of payment."
        )
        #expect(result.reason.message(.zhCN).hasPrefix("退款申请期限已于 2026-11-20 截止（R-A4）"))
        #expect(result.expectedAmountFen == 0)
        #expect(result.feeFen == 0)
    }

    @Test("R-A4: the window is per product kind")
    func perKindWindow() throws {
        let policy = try RefundPolicy(windowDaysByKind: [.cardKey: 7])
        let check = EligibilityCheck(policy: policy)
        let day8 = Fixtures.cst("2026-11-13")
        let result = check.evaluate(
            order: cardKey,
            ground: .notUsed,
            destination: .original,
            materials: Fixtures.allMaterials,
            reasonStatement: Fixtures.specificReason,
            now: day8
        )
        #expect(result.reason.rule == .a4)
        #expect(result.reason.message(.en).contains("closed on 2026-11-12"))
    }

    @Test("R-A3: expired unused goods are not refundable")
    func expired() {
        let order = Fixtures.order(.cardKey, validUntilMs: Fixtures.cst("2026-11-08"))
        let result = evaluate(order, now: Fixtures.cst("2026-11-09"))
        #expect(!result.isEligible)
        #expect(result.reason.rule == .a3)
        #expect(result.reason.message(.en).contains("validity ended on 2026-11-08"))
        // A platform fault is still refunded after validity ends.
        let duplicate = evaluate(
            order,
            .duplicateCharge,
            materials: [.orderProof, .paymentProof],
            reason: "charged twice for order o-1",
            now: Fixtures.cst("2026-11-09")
        )
        #expect(duplicate.isEligible)
        #expect(duplicate.feeFen == 0)
    }

    @Test("R-A3: partial use of a card key is not a ground")
    func partlyUsedCardKey() {
        let result = evaluate(cardKey, .partlyUsed, now: Fixtures.cst("2026-11-06"))
        #expect(!result.isEligible)
        #expect(result.reason.rule == .a3)
    }

    @Test("R-A2: an unspecified or unknown ground is refused")
    func unknownGround() {
        #expect(evaluate(cardKey, .unspecified, now: Fixtures.cst("2026-11-06")).reason.rule == .a2)
        let unknown = evaluate(cardKey, RefundGround(rawValue: 42), now: Fixtures.cst("2026-11-06"))
        #expect(!unknown.isEligible)
        #expect(unknown.reason.rule == .a2)
    }

    @Test("R-A5: missing materials are listed, and the amount at stake is still shown")
    func missingMaterials() {
        let result = evaluate(cardKey, materials: [.orderProof], reason: "", now: Fixtures.cst("2026-11-06"))
        #expect(!result.isEligible)
        #expect(result.reason.rule == .a5)
        #expect(result.missingMaterials == [.paymentProof, .nonUseProof, .reasonStatement])
        #expect(result.expectedAmountFen == 10_000)
        #expect(result.reason.message(.en).hasPrefix("materials missing (R-A5): please add payment proof"))
    }

    @Test("R-A5: a reason statement in words counts as the statement")
    func statementInWords() {
        let result = evaluate(
            cardKey,
            materials: [.orderProof, .paymentProof, .nonUseProof],
            reason: Fixtures.specificReasonEN,
            now: Fixtures.cst("2026-11-06")
        )
        #expect(result.isEligible)
    }

    @Test("R-A5: a vague reason is refused in both languages", arguments: ["商品没用", "didn't use it"])
    func vague(reason: String) {
        let result = evaluate(cardKey, reason: reason, now: Fixtures.cst("2026-11-06"))
        #expect(!result.isEligible)
        #expect(result.reason.rule == .a5)
        #expect(result.missingMaterials.isEmpty)
        #expect(result.reason.message(.zhCN).hasPrefix("申请说明过于笼统（R-A5）"))
        #expect(result.reason.message(.en).hasPrefix("the reason statement is too vague (R-A5)"))
    }

    @Test("R-A6: the quote shows destination, fee, arrival and balance withdrawability")
    func quote() {
        let now = Fixtures.cst("2026-11-06", hour: 16)  // a Friday
        let card = evaluate(cardKey, paidWith: .bankCard, now: now)
        #expect(card.refundMethod == .bankCard)
        #expect(card.destination == .original)
        #expect(card.feeFen == 60)
        #expect(card.expectedArrivalMs == Fixtures.cst("2026-11-13", hour: 16))
        #expect(card.arrivalDescription.en == "3-5 working days")
        #expect(card.balanceWithdrawable)
        let balance = evaluate(cardKey, paidWith: .bankCard, destination: .balance, now: now)
        #expect(balance.refundMethod == .balance)
        #expect(balance.feeFen == 0)
        #expect(balance.expectedArrivalMs == now + 10 * 60_000)
    }

    @Test("R-R5: a partly used 30-day card is expected to be pro-rated")
    func proRated() {
        let order = Fixtures.order(.timeBased, priceFen: 3000, totalDays: 30)
        let result = evaluate(
            order,
            .partlyUsed,
            materials: [.orderProof, .paymentProof],
            daysUsed: 10,
            now: Fixtures.cst("2026-11-15")
        )
        #expect(result.isEligible)
        #expect(result.reason.rule == .r5)
        #expect(result.expectedAmountFen == 2000)
        #expect(result.isProRated)
        #expect(result.feeFen == 12)
        #expect(result.reason.message(.en).contains("20 of 30 days remain"))
    }

    @Test("R-R5: without a usage record the days used are estimated from the payment time")
    func estimated() {
        let order = Fixtures.order(.timeBased, priceFen: 3000, totalDays: 30)
        // 9 days and 2 hours after payment: 10 started days.
        let result = evaluate(
            order,
            .partlyUsed,
            materials: [.orderProof, .paymentProof],
            now: Fixtures.paidAt + 9 * Fixtures.dayMs + 2 * Fixtures.hourMs
        )
        #expect(result.expectedAmountFen == 2000)
        #expect(result.reason.message(.en).contains("estimated"))
    }

    @Test("R-R5: a known use turns a not-used claim into a pro-rated one; all days used is refused")
    func usedTimeBased() {
        let order = Fixtures.order(.timeBased, priceFen: 3000, totalDays: 30)
        let now = Fixtures.cst("2026-11-10")
        let partly = evaluate(order, .notUsed, daysUsed: 3, now: now)
        #expect(partly.isProRated)
        #expect(partly.expectedAmountFen == 2700)
        let unused = evaluate(order, .notUsed, now: now)
        #expect(!unused.isProRated)
        #expect(unused.expectedAmountFen == 3000)
        let allUsed = evaluate(order, .partlyUsed, daysUsed: 30, now: now)
        #expect(!allUsed.isEligible)
        #expect(allUsed.reason.rule == .r5)
    }
}
