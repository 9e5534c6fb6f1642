import Foundation
import NIOHTTP1
import RefundMeshProviders
import Testing

@testable import ProviderSandbox

/// WeChat Pay v3 over real HTTP, driven by RefundMeshProviders' `WeChatPayClient` exactly as
/// payment-channel drives it: signed requests, platform-signed answers, WeChat's errors.
@Suite struct WeChatPayRoutesTests {
    static func request(
        _ refundNo: String,
        trade: String,
        refund: Int64,
        total: Int64 = 10_000,
        notify: String? = nil
    )
        -> WeChatPayRefundRequest
    {
        WeChatPayRefundRequest(
            outTradeNo: trade,
            outRefundNo: refundNo,
            reason: "测试退款",
            notifyURL: notify,
            amount: .init(refund: refund, total: total)
        )
    }

    @Test("R-C6: resubmitting out_refund_no answers the same refund; money moves once")
    func idempotentResubmission() async throws {
        try await SandboxHarness.with { harness in
            let client = try harness.weChatPay()
            var answers: [WeChatPayRefund] = []
            for _ in 0..<3 {
                answers.append(try await client.createRefund(Self.request("R-1", trade: "T-1", refund: 300)))
            }
            #expect(Set(answers.map(\.refundID)).count == 1)
            #expect(answers.first?.amount.refund == 300)
            try await SandboxHarness.until("SUCCESS") {
                try await client.queryRefund(outRefundNo: "R-1").status == .success
            }
            let refunds = try await harness.refunds("wechat")
            #expect(refunds.count == 1)
            #expect(refunds.first?.submissions == 3)
            #expect(refunds.first?.moneyMoved == 1)
            let stats = try await harness.stats()
            #expect(stats.maxMoneyMovedPerRefund == 1)
            #expect(stats.moneyMovedFen == 300)
        }
    }

    @Test("R-C5: a refund beyond what is left of the order is refused with INVALID_REQUEST and moves nothing")
    func tradeTotalCap() async throws {
        try await SandboxHarness.with { harness in
            let client = try harness.weChatPay()
            _ = try await client.createRefund(Self.request("R-1", trade: "T-1", refund: 600, total: 1_000))
            let error = try await #require(throws: ProviderError.self) {
                try await client.createRefund(Self.request("R-2", trade: "T-1", refund: 500, total: 1_000))
            }
            #expect(error.code == .refused)
            #expect(error.providerCode == "INVALID_REQUEST")
            #expect(error.httpStatus == 400)
            _ = try await client.createRefund(Self.request("R-3", trade: "T-1", refund: 400, total: 1_000))
            let stats = try await harness.stats()
            #expect(stats.refunds == 2)
            #expect(stats.tradesOverTotal == 0)
        }
    }

    @Test("R-C7: a second refund of the order within the interval is 429 FREQUENCY_LIMITED; nothing moves")
    func orderInterval() async throws {
        try await SandboxHarness.with(Tweak { $0.limits.wechatOrderInterval = .seconds(60) }) { harness in
            let client = try harness.weChatPay()
            _ = try await client.createRefund(Self.request("R-1", trade: "T-1", refund: 100))
            let error = try await #require(throws: ProviderError.self) {
                try await client.createRefund(Self.request("R-2", trade: "T-1", refund: 100))
            }
            #expect(error.code == .rateLimited)
            #expect(error.providerCode == "FREQUENCY_LIMITED")
            #expect(error.httpStatus == 429)
            #expect(try await harness.refunds().map(\.refundNo) == ["R-1"])
            #expect(try await harness.stats().counters["rate_limited"] == 1)
        }
    }

    @Test("R-C7: the per-merchant rate answers 429 FREQUENCY_LIMITED with WeChat's body")
    func merchantRate() async throws {
        try await SandboxHarness.with(Tweak { $0.limits.wechatMerchantRPS = 1 }) { harness in
            let client = try harness.weChatPay()
            var limited: [ProviderError] = []
            for index in 0..<10 {
                do {
                    _ = try await client.createRefund(Self.request("R-\(index)", trade: "T-\(index)", refund: 10))
                } catch let error as ProviderError {
                    limited.append(error)
                }
            }
            #expect(limited.count >= 1)  // 10 requests against 1/s; generous for a slow machine
            #expect(limited.allSatisfy { $0.providerCode == "FREQUENCY_LIMITED" && $0.httpStatus == 429 })
            #expect(try await harness.stats().refunds == 10 - limited.count)
        }
    }

    @Test("a request without a valid merchant signature is 401 SIGN_ERROR, signed by the platform")
    func signatureRequired() async throws {
        try await SandboxHarness.with { harness in
            let (status, body) = try await harness.send(
                .POST,
                "/v3/refund/domestic/refunds",
                json: #"{"out_trade_no":"T","out_refund_no":"R","amount":{"refund":1,"total":1,"currency":"CNY"}}"#,
                headers: [
                    (
                        "Authorization",
                        #"WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="x",signature="AAAA",timestamp="1",serial_no="1""#
                    )
                ]
            )
            #expect(status == 401)
            #expect(String(decoding: body, as: UTF8.self).contains("SIGN_ERROR"))
            #expect(try await harness.stats().refunds == 0)
        }
    }

    @Test("timeout_after_commit: the client times out, yet the refund exists and moved money; a retry answers it")
    func timeoutAfterCommit() async throws {
        try await SandboxHarness.with { harness in
            try await harness.addRule(
                #"{"provider":"wechat","match":{"refund_no":"R-t"},"behaviour":{"timeout_after_commit":true}}"#
            )
            let impatient = try harness.weChatPay(timeoutMs: 1_000)
            let error = try await #require(throws: ProviderError.self) {
                try await impatient.createRefund(Self.request("R-t", trade: "T-t", refund: 250))
            }
            #expect(error.outcomeIsUnknown)
            let client = try harness.weChatPay()
            try await SandboxHarness.until("SUCCESS") {
                try await client.queryRefund(outRefundNo: "R-t").status == .success
            }
            let retried = try await client.createRefund(Self.request("R-t", trade: "T-t", refund: 250))
            #expect(retried.status == .success)
            let refund = try #require(try await harness.refunds().first)
            #expect(refund.moneyMoved == 1)
            #expect(refund.submissions == 2)
        }
    }

    @Test("scripted CLOSED and ABNORMAL are what the query shows; unknown numbers are 404 RESOURCE_NOT_EXISTS")
    func finalStatesAndNotFound() async throws {
        try await SandboxHarness.with { harness in
            try await harness.addRule(
                #"{"provider":"wechat","match":{"refund_no":"R-c"},"behaviour":{"status":"CLOSED"}}"#
            )
            try await harness.addRule(
                #"{"provider":"wechat","match":{"refund_no":"R-a"},"behaviour":{"status":"ABNORMAL"}}"#
            )
            let client = try harness.weChatPay()
            _ = try await client.createRefund(Self.request("R-c", trade: "T-c", refund: 10))
            _ = try await client.createRefund(Self.request("R-a", trade: "T-a", refund: 10))
            try await SandboxHarness.until("closed and abnormal") {
                let closed = try await client.queryRefund(outRefundNo: "R-c").status
                let abnormal = try await client.queryRefund(outRefundNo: "R-a").status
                return closed == .closed && abnormal == .abnormal
            }
            let error = try await #require(throws: ProviderError.self) {
                try await client.queryRefund(outRefundNo: "R-none")
            }
            #expect(error.code == .notFound)
            #expect(error.providerCode == "RESOURCE_NOT_EXISTS")
            #expect(try await harness.stats().moneyMovedCount == 0)
        }
    }

    @Test("notifications verify and decrypt with the client; duplicates carry the same id")
    func signedNotifications() async throws {
        let receiver = NotificationReceiver()
        try await receiver.run { url in
            try await SandboxHarness.with { harness in
                try await harness.addRule(#"{"provider":"wechat","behaviour":{"duplicate_notifications":1}}"#)
                let client = try harness.weChatPay(notifyURL: url)
                let created = try await client.createRefund(Self.request("R-n", trade: "T-n", refund: 120))
                try await SandboxHarness.until("two notices") { receiver.received.count == 2 }
                let parsed = try receiver.received.map {
                    try client.parseNotification(headers: $0.headerList, body: Data($0.body))
                }
                #expect(parsed.map(\.eventType) == ["REFUND.SUCCESS", "REFUND.SUCCESS"])
                #expect(Set(parsed.map(\.id)).count == 1)
                #expect(parsed.first?.notice.refundID == created.refundID)
                #expect(parsed.first?.notice.amount.refund == 120)
                // Tampering is detected: the signature covers the body.
                var tampered = receiver.received[0].body
                tampered[tampered.count / 2] ^= 1
                #expect(throws: ProviderError.self) {
                    try client.parseNotification(headers: receiver.received[0].headerList, body: Data(tampered))
                }
            }
        }
    }

    @Test("the day's refund bill lists refunds whose money moved, with a matching SHA1")
    func refundBill() async throws {
        try await SandboxHarness.with { harness in
            let client = try harness.weChatPay()
            _ = try await client.createRefund(Self.request("R-b1", trade: "T-b", refund: 100, total: 1_000))
            _ = try await client.createRefund(Self.request("R-b2", trade: "T-b", refund: 200, total: 1_000))
            try await SandboxHarness.until("settled") { try await harness.stats().moneyMovedCount == 2 }
            let settled = try #require(try await harness.refunds().first?.settledAtMs)
            let date = WeChatPayServer.timeString(ProviderHTTP.date(settled)).prefix(10)
            let lines = try await client.refundBill(date: String(date))
            #expect(lines.count == 3)
            #expect(lines.dropFirst().contains { $0.contains("R-b1") && $0.contains(",100,") })
        }
    }
}
