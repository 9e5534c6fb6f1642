import RefundMeshDomain
import Testing

@Suite("WithdrawalGuard (R-A7): withdraw-and-resubmit is flagged past the limits")
struct WithdrawalGuardTests {
    let guardrail = WithdrawalGuard()

    @Test("R-A7: after the 3rd withdrawal of an order the next request is clear, after the 4th it is flagged")
    func perOrder() throws {
        #expect(guardrail.evaluate(orderWithdrawals: 3, userWithdrawalsLast24h: 3) == .clear)
        let verdict = guardrail.evaluate(orderWithdrawals: 4, userWithdrawalsLast24h: 4)
        let reason = try #require(verdict.reason)
        #expect(verdict.isFlagged)
        #expect(reason.rule == .a7)
        #expect(reason.message(.zhCN).contains("撤销 4 次"))
        #expect(reason.message(.en).contains("withdrawn 4 times, more than 3 (R-A7)"))
    }

    @Test("R-A7: 5 withdrawals by a user in 24 hours are clear, 6 are flagged")
    func perUser() throws {
        #expect(!guardrail.evaluate(orderWithdrawals: 1, userWithdrawalsLast24h: 5).isFlagged)
        let verdict = guardrail.evaluate(orderWithdrawals: 1, userWithdrawalsLast24h: 6)
        #expect(try #require(verdict.reason).message(.en).contains("6 refund requests in 24 hours, more than 5"))
    }

    @Test("R-A7: only the user's withdrawals of the last 24 hours count")
    func window() {
        let now = Fixtures.cst("2026-11-10", hour: 12)
        let old = now - WithdrawalGuard.userWindowMs  // exactly 24 h ago: outside
        let recent = (1...5).map { now - Int64($0) * Fixtures.hourMs }
        #expect(
            !guardrail.evaluate(orderWithdrawalTimesMs: [], userWithdrawalTimesMs: recent + [old], now: now).isFlagged
        )
        #expect(
            guardrail.evaluate(orderWithdrawalTimesMs: [], userWithdrawalTimesMs: recent + [now - 1], now: now)
                .isFlagged
        )
        // An order's withdrawals count however old they are.
        #expect(
            guardrail.evaluate(orderWithdrawalTimesMs: [1, 2, 3, 4], userWithdrawalTimesMs: [], now: now).isFlagged
        )
    }

    @Test("R-A7: the limits come from the policy")
    func configured() throws {
        let strict = WithdrawalGuard(policy: try RefundPolicy(maxWithdrawalsPerOrder: 1))
        #expect(strict.evaluate(orderWithdrawals: 2, userWithdrawalsLast24h: 0).isFlagged)
    }
}
