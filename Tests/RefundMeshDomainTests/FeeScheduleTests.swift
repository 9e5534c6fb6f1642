import RefundMeshAPI
import RefundMeshDomain
import Testing

@Suite("FeeSchedule (R-C1, R-C2, R-C3)")
struct FeeScheduleTests {
    let policy = RefundPolicy.default

    @Test("R-C1: money goes back the way it came, or to the balance when chosen")
    func refundMethod() {
        #expect(FeeSchedule.refundMethod(paidWith: .wechatPay, destination: .original) == .wechatPay)
        #expect(FeeSchedule.refundMethod(paidWith: .alipay, destination: .unspecified) == .alipay)
        #expect(FeeSchedule.refundMethod(paidWith: .bankCard, destination: .balance) == .balance)
        #expect(FeeSchedule.refundMethod(paidWith: .balance, destination: .original) == .balance)
    }

    @Test("R-C2: 10000 fen to WeChat at the default 0.6% keeps 60 fen")
    func defaultFee() {
        #expect(FeeSchedule.fee(amountFen: 10_000, method: .wechatPay, platformFault: false, policy: policy) == 60)
        #expect(FeeSchedule.fee(amountFen: 10_000, method: .bankCard, platformFault: false, policy: policy) == 60)
    }

    @Test("R-C2: a fee per channel from the environment; other channels keep the common fee; out of range is refused")
    func perChannelFee() throws {
        let policy = try RefundPolicy(environment: [
            "REFUND_FEE_BASIS_POINTS_BANK_CARD": "100", "REFUND_FEE_BASIS_POINTS_ALIPAY": "50",
        ])
        #expect(FeeSchedule.fee(amountFen: 10_000, method: .bankCard, platformFault: false, policy: policy) == 100)
        #expect(FeeSchedule.fee(amountFen: 10_000, method: .alipay, platformFault: false, policy: policy) == 50)
        #expect(FeeSchedule.fee(amountFen: 10_000, method: .wechatPay, platformFault: false, policy: policy) == 60)
        #expect(FeeSchedule.fee(amountFen: 10_000, method: .bankCard, platformFault: true, policy: policy) == 0)
        let error = #expect(throws: PolicyError.self) {
            _ = try RefundPolicy(environment: ["REFUND_FEE_BASIS_POINTS_WECHAT_PAY": "500"])
        }
        #expect(error?.variable == "REFUND_FEE_BASIS_POINTS_WECHAT_PAY")
    }

    @Test("R-C2: rounding is half-up at the boundary")
    func halfUp() {
        // 0.6% of 83 = 0.498 → 0; of 84 = 0.504 → 1.
        #expect(FeeSchedule.fee(amountFen: 83, method: .alipay, platformFault: false, policy: policy) == 0)
        #expect(FeeSchedule.fee(amountFen: 84, method: .alipay, platformFault: false, policy: policy) == 1)
        // Exactly half: 0.6% of 250 = 1.5 → 2; of 1250 = 7.5 → 8; of 1249 = 7.494 → 7.
        #expect(FeeSchedule.fee(amountFen: 250, method: .alipay, platformFault: false, policy: policy) == 2)
        #expect(FeeSchedule.fee(amountFen: 1250, method: .alipay, platformFault: false, policy: policy) == 8)
        #expect(FeeSchedule.fee(amountFen: 1249, method: .alipay, platformFault: false, policy: policy) == 7)
    }

    @Test("R-C2: no fee for the balance, for platform faults, or for nothing")
    func noFee() {
        #expect(FeeSchedule.fee(amountFen: 10_000, method: .balance, platformFault: false, policy: policy) == 0)
        #expect(FeeSchedule.fee(amountFen: 10_000, method: .wechatPay, platformFault: true, policy: policy) == 0)
        #expect(FeeSchedule.fee(amountFen: 0, method: .wechatPay, platformFault: false, policy: policy) == 0)
        #expect(FeeSchedule.fee(amountFen: -100, method: .wechatPay, platformFault: false, policy: policy) == 0)
    }

    @Test("R-A2b: duplicate charge, not as described and delivery failed are platform faults")
    func platformFaults() {
        #expect(FeeSchedule.isPlatformFault(.duplicateCharge))
        #expect(FeeSchedule.isPlatformFault(.notAsDescribed))
        #expect(FeeSchedule.isPlatformFault(.deliveryFailed))
        #expect(!FeeSchedule.isPlatformFault(.notUsed))
        #expect(!FeeSchedule.isPlatformFault(.partlyUsed))
    }

    @Test("R-C2: an unknown channel is quoted with the fee; huge amounts do not overflow")
    func edges() throws {
        #expect(FeeSchedule.fee(amountFen: 10_000, method: .unspecified, platformFault: false, policy: policy) == 60)
        let onePercent = try RefundPolicy(feeBasisPoints: 100)
        #expect(
            FeeSchedule.fee(amountFen: .max, method: .wechatPay, platformFault: false, policy: onePercent)
                == Int64.max / 100
        )
    }

    @Test("R-C3: balance in 10 minutes, WeChat 1 working day, bank card 5 working days")
    func arrival() {
        let friday = Fixtures.cst("2026-11-06", hour: 16)
        let calendar = policy.calendar
        #expect(
            FeeSchedule.expectedArrival(method: .balance, sentAtMs: friday, calendar: calendar, policy: policy)
                == friday + 10 * 60_000
        )
        #expect(
            FeeSchedule.expectedArrival(method: .wechatPay, sentAtMs: friday, calendar: calendar, policy: policy)
                == Fixtures.cst("2026-11-09", hour: 16)
        )
        #expect(
            FeeSchedule.expectedArrival(method: .bankCard, sentAtMs: friday, calendar: calendar, policy: policy)
                == Fixtures.cst("2026-11-13", hour: 16)
        )
    }
}
