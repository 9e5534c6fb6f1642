import Foundation
import PaymentChannelService
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC
import RefundMeshStore
import RefundMeshStoreTestSupport
import Testing

@Suite("PaymentChannelHandler: payments, quotes, balance")
struct PaymentChannelHandlerTests {
    @Test(
        "RecordPayment is idempotent on payment_id; other facts for a known id are ALREADY_EXISTS",
        arguments: TestBackend.all
    )
    func recordPaymentIdempotent(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            let payment = try await fixture.recordPayment()
            let again = try await fixture.handler.recordPayment(payment, context: .test)
            #expect(!again.firstTime)
            var changed = payment
            changed.amountFen = 9_000
            let error = await #expect(throws: RPCError.self) {
                _ = try await fixture.handler.recordPayment(changed, context: .test)
            }
            #expect(error?.code == .alreadyExists)
            #expect(error?.message.contains("amount_fen 10000") == true)
            let listed = try await fixture.handler.listPayments(ListPaymentsRequest(orderID: "order-1"), context: .test)
            #expect(listed.payments == [payment])
        }
    }

    @Test("RecordPayment refuses missing ids, non-positive amounts and unknown methods", arguments: TestBackend.all)
    func recordPaymentValidation(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            let bad = [
                CapturedPayment(orderID: "o", userID: "u", method: .alipay, amountFen: 1),
                CapturedPayment(paymentID: "p", orderID: "o", userID: "u", method: .alipay, amountFen: 0),
                CapturedPayment(paymentID: "p", orderID: "o", userID: "u", method: .unspecified, amountFen: 1),
            ]
            for payment in bad {
                let error = await #expect(throws: RPCError.self) {
                    _ = try await fixture.handler.recordPayment(payment, context: .test)
                }
                #expect(error?.code == .invalidArgument)
            }
        }
    }

    @Test(
        "Quote: R-C1 method, R-C2 fee (none for balance or platform fault), R-C3 arrival; NOT_FOUND without a payment"
    )
    func quote() async throws {
        let fixture = try PaymentFixture()
        defer { fixture.remove() }
        try await fixture.recordPayment(method: .bankCard)
        let original = try await fixture.handler.quote(
            QuoteRequest(orderID: "order-1", amountFen: 10_000, destination: .original),
            context: .test
        )
        #expect(original.method == .bankCard)
        #expect(original.feeFen == 60 && original.netAmountFen == 9_940)
        let fiveWorkingDays = RefundPolicy.default.calendar.addingWorkingDays(5, to: fixture.clock.now)
        #expect(original.expectedArrivalMs == fiveWorkingDays)
        let fault = try await fixture.handler.quote(
            QuoteRequest(orderID: "order-1", amountFen: 10_000, platformFault: true),
            context: .test
        )
        #expect(fault.feeFen == 0)
        let balance = try await fixture.handler.quote(
            QuoteRequest(orderID: "order-1", amountFen: 10_000, destination: .balance),
            context: .test
        )
        #expect(balance.method == .balance && balance.feeFen == 0 && balance.balanceWithdrawable)
        #expect(balance.expectedArrivalMs == fixture.clock.now + 10 * 60_000)
        let error = await #expect(throws: RPCError.self) {
            _ = try await fixture.handler.quote(QuoteRequest(orderID: "nope", amountFen: 1), context: .test)
        }
        #expect(error?.code == .notFound)
    }

    @Test(
        "GetBalance states withdrawability (R-C4); GetRefundPayment of an unknown refund is NOT_FOUND",
        arguments: TestBackend.all
    )
    func balanceAndNotFound(_ backend: TestBackend) async throws {
        try await PaymentFixture.with(backend) { fixture in
            let balance = try await fixture.handler.getBalance(GetBalanceRequest(userID: "user-1"), context: .test)
            #expect(balance.availableFen == 0 && balance.withdrawable)
            let error = await #expect(throws: RPCError.self) {
                _ = try await fixture.handler.getRefundPayment(GetRefundPaymentRequest(refundID: "r-x"), context: .test)
            }
            #expect(error?.code == .notFound)
            try await fixture.checkInvariants()
        }
    }
}

@Suite("PaymentChannelConfiguration (R-C6, R-C7 settings)")
struct PaymentChannelConfigurationTests {
    @Test("defaults, environment overrides, the doubling interval, and a bad value named")
    func environment() throws {
        let defaults = try PaymentChannelConfiguration(environment: [:])
        #expect(defaults.reconcileFirstMs == 60_000 && defaults.callsPerSecond[.wechatPay] == 150)
        #expect(defaults.orderIntervalMs[.wechatPay] == 60_000 && defaults.orderIntervalMs[.alipay] == 3_000)
        let settings = try PaymentChannelConfiguration(environment: [
            "PAYMENT_RECONCILE_FIRST_MS": "1000", "PAYMENT_RECONCILE_MAX_MS": "5000",
            "PAYMENT_THROTTLE_ALIPAY_ORDER_INTERVAL_MS": "10", "PAYMENT_THROTTLE_BANK_RPS": "7",
        ])
        #expect(settings.orderIntervalMs[.alipay] == 10 && settings.callsPerSecond[.bankCard] == 7)
        #expect(settings.nextQueryInterval(after: nil) == 1_000)
        #expect(settings.nextQueryInterval(after: 1_000) == 2_000)
        #expect(settings.nextQueryInterval(after: 4_000) == 5_000)
        let error = #expect(throws: PaymentConfigurationError.self) {
            _ = try PaymentChannelConfiguration(environment: ["PAYMENT_THROTTLE_WECHAT_RPS": "fast"])
        }
        #expect(error?.variable == "PAYMENT_THROTTLE_WECHAT_RPS")
        #expect(throws: PaymentConfigurationError.self) {
            _ = try PaymentChannelConfiguration(environment: ["PAYMENT_RECONCILE_MAX_MS": "10"])
        }
    }
}
