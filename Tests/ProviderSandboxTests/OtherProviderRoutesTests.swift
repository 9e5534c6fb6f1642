import Foundation
import RefundMeshProviders
import Testing

@testable import ProviderSandbox

/// Alipay, the bank and the game operator over real HTTP, driven by RefundMeshProviders' clients.
@Suite struct OtherProviderRoutesTests {
    @Test("Alipay: fund_change Y once, N on the repeat; query REFUND_SUCCESS; the trade total holds")
    func alipayRefund() async throws {
        try await SandboxHarness.with { harness in
            let (status, _) = try await harness.send(
                .POST,
                "/sandbox/v1/trades",
                json: #"{"provider":"alipay","trade_no":"AT-1","total_fen":1000}"#
            )
            #expect(status == 201)
            let client = try harness.alipay()
            let request = AlipayRefundRequest(outTradeNo: "AT-1", refundAmountFen: 700, outRequestNo: "AR-1")
            let first = try await client.refund(request)
            #expect(first.fundChange == "Y")
            #expect(first.refundFeeFen == 700)
            let again = try await client.refund(request)
            #expect(again.fundChange == "N")
            let query = try await client.queryRefund(outTradeNo: "AT-1", outRequestNo: "AR-1")
            #expect(query.succeeded)
            #expect(query.refundAmountFen == 700)
            #expect(try await client.queryRefund(outTradeNo: "AT-1", outRequestNo: "AR-none").refundStatus == nil)
            let missing = try await #require(throws: ProviderError.self) {
                try await client.queryRefund(outTradeNo: "AT-none", outRequestNo: "AR-1")
            }
            #expect(missing.code == .notFound)
            #expect(missing.providerCode == "ACQ.TRADE_NOT_EXIST")
            let error = try await #require(throws: ProviderError.self) {
                try await client.refund(
                    AlipayRefundRequest(outTradeNo: "AT-1", refundAmountFen: 400, outRequestNo: "AR-2")
                )
            }
            #expect(error.providerCode == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL")
            let stats = try await harness.stats()
            #expect(stats.moneyMovedCount == 1)
            #expect(stats.maxMoneyMovedPerRefund == 1)
        }
    }

    @Test("R-C7: Alipay's interval between refunds of one trade answers 40004 ACQ.REQUEST_TOO_FAST")
    func alipayInterval() async throws {
        // The real interval is 3 s; a minute here so a loaded machine cannot let it pass between the
        // two calls (seen in a full run on 2 busy cores).
        try await SandboxHarness.with(Tweak { $0.limits.alipayTradeInterval = .seconds(60) }) { harness in
            let client = try harness.alipay()
            _ = try await client.refund(
                AlipayRefundRequest(outTradeNo: "AT-2", refundAmountFen: 10, outRequestNo: "AR-1")
            )
            let error = try await #require(throws: ProviderError.self) {
                try await client.refund(
                    AlipayRefundRequest(outTradeNo: "AT-2", refundAmountFen: 10, outRequestNo: "AR-2")
                )
            }
            #expect(error.providerCode == "ACQ.REQUEST_TOO_FAST")
            #expect(try await harness.stats().refunds == 1)
        }
    }

    @Test("Alipay: scripted fund_change N settles later; the notification verifies with the client")
    func alipayDeferredAndNotified() async throws {
        let receiver = NotificationReceiver()
        try await receiver.run { url in
            try await SandboxHarness.with { harness in
                try await harness.addRule(
                    #"{"provider":"alipay","behaviour":{"fund_change":"N","settle_after_ms":200}}"#
                )
                let client = try harness.alipay(notifyURL: url)
                let answer = try await client.refund(
                    AlipayRefundRequest(outTradeNo: "AT-3", refundAmountFen: 55, outRequestNo: "AR-3")
                )
                #expect(answer.fundChange == "N")
                try await SandboxHarness.until("notified") { receiver.received.count == 1 }
                let notice = try client.parseNotification(
                    headers: receiver.received[0].headerList,
                    body: Data(receiver.received[0].body)
                )
                #expect(notice.outBizNo == "AR-3")
                #expect(notice.refundFeeFen == 55)
                #expect(try await client.queryRefund(outTradeNo: "AT-3", outRequestNo: "AR-3").succeeded)
            }
        }
    }

    @Test(
        "bank: ACCEPTED, SETTLED after sandbox working days, RETURNED on reversal; notifications and settlement file verify"
    )
    func bankLifecycle() async throws {
        let receiver = NotificationReceiver()
        try await receiver.run { url in
            try await SandboxHarness.with(Tweak { $0.bankNotifyURL = url }) { harness in
                try await harness.addRule(#"{"provider":"bank","behaviour":{"reverse_after_ms":300}}"#)
                let client = try harness.bank()
                let accepted = try await client.submit(refundNo: "B-1", cardPaymentID: "CP-1", amountFen: 900)
                #expect(accepted.state == .accepted)
                // Reversal follows settlement by 300 ms: a poll on a loaded machine can miss the
                // SETTLED in between, so wait for either (the notices below show both, in order).
                try await SandboxHarness.until("settled") {
                    [.settled, .returned].contains(try await client.query(refundNo: "B-1").state)
                }
                let settledAt = try #require(try await client.query(refundNo: "B-1").settledAtMs)
                let date = String(AlipayServer.timeString(ProviderHTTP.date(settledAt)).prefix(10))
                let file = try await client.settlementFile(date: date)
                #expect(file.entries.map(\.refundNo) == ["B-1"])
                try await SandboxHarness.until("returned") {
                    try await client.query(refundNo: "B-1").state == .returned
                }
                try await SandboxHarness.until("two notices") { receiver.received.count == 2 }
                let states = try receiver.received.map {
                    try client.parseNotification(headers: $0.headerList, body: Data($0.body)).refund.state
                }
                #expect(states == [.settled, .returned])
                let refund = try #require(try await harness.refunds("bank").first)
                #expect(refund.moneyMoved == 1 && refund.reversed)
            }
        }
    }

    @Test("R-R2: the operator answers the recharge status set through the control API; 404 for orders it never saw")
    func operatorStatus() async throws {
        try await SandboxHarness.with { harness in
            let client = try harness.gameOperator()
            let unknown = try await #require(throws: ProviderError.self) {
                try await client.rechargeStatus(orderID: "O-1")
            }
            #expect(unknown.code == .notFound)
            let (status, _) = try await harness.send(
                .PUT,
                "/sandbox/v1/operator/recharges/O-1",
                json: #"{"status":"FAILED"}"#
            )
            #expect(status == 200)
            #expect(try await client.rechargeStatus(orderID: "O-1").status == .failed)
            _ = try await harness.send(.PUT, "/sandbox/v1/operator/recharges/O-1", json: #"{"status":"CREDITED"}"#)
            let credited = try await client.rechargeStatus(orderID: "O-1")
            #expect(credited.status == .credited)
            #expect(credited.creditedAtMs != nil)
            let (refused, _) = try await harness.send(
                .PUT,
                "/sandbox/v1/operator/recharges/O-1",
                json: #"{"status":"MAYBE"}"#
            )
            #expect(refused == 400)
            try await harness.addRule(
                #"{"provider":"operator","match":{"order_id":"O-1"},"behaviour":{"fail":"SYSTEM_ERROR"}}"#
            )
            await #expect(throws: ProviderError.self) { try await client.rechargeStatus(orderID: "O-1") }
        }
    }
}

/// `SANDBOX_REQUIRE_REGISTERED_TRADES`: refunds of payments the provider does not know.
@Suite struct RegisteredTradesTests {
    @Test("unknown trades are refused as each provider refuses them; registered ones are refunded")
    func unknownTradesRefused() async throws {
        try await SandboxHarness.with(Tweak { $0.requireRegisteredTrades = true }) { harness in
            let wechat = try await #require(throws: ProviderError.self) {
                try await harness.weChatPay().createRefund(
                    WeChatPayRefundRequest(outTradeNo: "T-x", outRefundNo: "R-x", amount: .init(refund: 1, total: 10))
                )
            }
            #expect(wechat.code == .refused)
            #expect(wechat.providerCode == "RESOURCE_NOT_EXISTS" && wechat.httpStatus == 404)
            let alipay = try await #require(throws: ProviderError.self) {
                try await harness.alipay().refund(
                    AlipayRefundRequest(outTradeNo: "AT-x", refundAmountFen: 1, outRequestNo: "AR-x")
                )
            }
            #expect(alipay.providerCode == "ACQ.TRADE_NOT_EXIST")
            let bank = try await #require(throws: ProviderError.self) {
                try await harness.bank().submit(refundNo: "B-x", cardPaymentID: "CP-x", amountFen: 1)
            }
            #expect(bank.providerCode == "PAYMENT_NOT_FOUND")
            #expect(try await harness.stats().refunds == 0)
            _ = try await harness.send(
                .POST,
                "/sandbox/v1/trades",
                json: #"{"provider":"bank","trade_no":"CP-x","total_fen":5}"#
            )
            #expect(
                try await harness.bank().submit(refundNo: "B-x", cardPaymentID: "CP-x", amountFen: 1).state == .accepted
            )
        }
    }
}
