import AsyncHTTPClient
import Foundation
import RefundMeshTestSupport
import Testing

@testable import RefundMeshProviders

@Suite("AlipayClient against a real HTTP server using the server half")
struct AlipayClientTests {
    let server = AlipayServer(keySet: TestProviders.keys)

    /// Verifies every gateway request as Alipay would and answers `answer(method, request)`.
    private func gateway(
        log: RequestLog,
        answer: @escaping @Sendable (AlipayServer.Request) throws -> Data?
    ) -> @Sendable (StubRequest) async -> StubResponse? {
        { [server] request in
            await log.append(request)
            if request.method == "GET" {
                return StubResponse(status: 200, body: Data("bill line 1\nbill line 2\n".utf8))
            }
            let verified: AlipayServer.Request
            do {
                verified = try server.verifyRequest(body: request.body)
            } catch {
                let node = AlipayResponseStatus(
                    code: "40002",
                    msg: "Invalid Arguments",
                    subCode: "isv.invalid-signature",
                    subMsg: "\(error)"
                )
                let body = try? WireJSON.encode(["error_response": node])
                return StubResponse(status: 200, body: body ?? Data())
            }
            guard let body = try? answer(verified) else { return nil }
            return StubResponse(status: 200, headers: [("Content-Type", "application/json;charset=utf-8")], body: body)
        }
    }

    private func withClient<T: Sendable>(
        timeoutMs: Int = 20_000,
        _ handler: @escaping @Sendable (StubRequest) async -> StubResponse?,
        body: (AlipayClient) async throws -> T
    ) async throws -> T {
        try await withStubHTTPServer(handler) { baseURL in
            try await TestProviders.withHTTPClient { http in
                let configuration = try AlipayConfiguration(
                    environment: TestProviders.environment(baseURL: baseURL, timeoutMs: timeoutMs)
                )
                return try await body(
                    AlipayClient(configuration: configuration, httpClient: http, logger: TestProviders.logger)
                )
            }
        }
    }

    @Test("refund posts a signed form with yuan amounts and returns the verified node in fen")
    func refund() async throws {
        let log = RequestLog()
        let response = try await withClient(
            gateway(log: log) { [server] request in
                let biz = try request.decodeBizContent(AlipayRefundRequest.self)
                return try server.signedResponse(
                    method: request.method,
                    node: AlipayRefundResponse(
                        tradeNo: "2026112522001",
                        outTradeNo: biz.outTradeNo,
                        fundChange: "Y",
                        refundFeeFen: biz.refundAmountFen
                    )
                )
            }
        ) { client in
            try await client.refund(
                AlipayRefundRequest(outTradeNo: "T1", refundAmountFen: 1234, outRequestNo: "R1", refundReason: "卡密未激活")
            )
        }
        #expect(response.movedMoney)
        #expect(response.refundFeeFen == 1234)
        let request = try #require(await log.requests.first)
        let parameters = Dictionary(
            try #require(FormEncoding.decode(String(decoding: request.body, as: UTF8.self))),
            uniquingKeysWith: { a, _ in a }
        )
        #expect(parameters["method"] == "alipay.trade.refund")
        #expect(parameters["sign_type"] == "RSA2")
        #expect(parameters["charset"] == "utf-8")
        #expect(parameters["version"] == "1.0")
        #expect(parameters["biz_content"]?.contains(#""refund_amount":"12.34""#) == true)
        #expect(
            request.headers.contains {
                $0.0.lowercased() == "content-type" && $0.1.hasPrefix("application/x-www-form-urlencoded")
            }
        )
    }

    @Test("queryRefund reads refund_status; an absent status means no successful refund")
    func query() async throws {
        try await withClient(
            gateway(log: RequestLog()) { [server] request in
                let biz = try request.decodeBizContent(AlipayRefundQueryRequest.self)
                let done = biz.outRequestNo == "R1"
                return try server.signedResponse(
                    method: request.method,
                    node: AlipayRefundQueryResponse(
                        outTradeNo: biz.outTradeNo,
                        outRequestNo: biz.outRequestNo,
                        totalAmountFen: done ? 5000 : nil,
                        refundAmountFen: done ? 1234 : nil,
                        refundStatus: done ? AlipayRefundQueryResponse.refundSuccess : nil
                    )
                )
            }
        ) { client in
            let done = try await client.queryRefund(outTradeNo: "T1", outRequestNo: "R1")
            #expect(done.succeeded)
            #expect(done.refundAmountFen == 1234)
            let absent = try await client.queryRefund(outTradeNo: "T1", outRequestNo: "R2")
            #expect(!absent.succeeded)
        }
    }

    @Test(
        "failure nodes map to unknown outcome, rate limited and refused",
        arguments: [
            ("40004", "ACQ.SYSTEM_ERROR", ProviderError.Code.unknownOutcome),
            ("20000", "isp.unknow-error", .unknownOutcome),
            ("40004", "ACQ.REQUEST_TOO_FAST", .rateLimited),
            ("40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", .refused),
            ("40004", "ACQ.TRADE_NOT_EXIST", .refused),
            ("40002", "isv.invalid-parameter", .refused),
        ]
    )
    func errorMapping(code: String, subCode: String, expected: ProviderError.Code) async throws {
        let error = try await withClient(
            gateway(log: RequestLog()) { [server] request in
                try server.signedError(
                    method: request.method,
                    code: code,
                    msg: "Business Failed",
                    subCode: subCode,
                    subMsg: "说明"
                )
            }
        ) { client in
            await #expect(throws: ProviderError.self) {
                try await client.refund(AlipayRefundRequest(outTradeNo: "T", refundAmountFen: 1, outRequestNo: "R"))
            }
        }
        #expect(error?.code == expected)
        #expect(error?.providerCode == subCode)
        #expect(error?.providerMessage == "说明")
    }

    @Test("a query for a trade Alipay does not know is notFound")
    func queryUnknownTrade() async throws {
        let error = try await withClient(
            gateway(log: RequestLog()) { [server] request in
                try server.signedError(
                    method: request.method,
                    code: "40004",
                    msg: "Business Failed",
                    subCode: "ACQ.TRADE_NOT_EXIST",
                    subMsg: "交易不存在"
                )
            }
        ) { client in
            await #expect(throws: ProviderError.self) {
                try await client.queryRefund(outTradeNo: "T", outRequestNo: "R")
            }
        }
        #expect(error?.code == .notFound)
    }

    @Test("a tampered or unsigned success answer is badSignature; a forged signature too")
    func badAnswers() async throws {
        for mode in ["tampered", "unsigned", "forged"] {
            let error = try await withClient(
                gateway(log: RequestLog()) { [server] request in
                    let node = AlipayRefundResponse(outTradeNo: "T", fundChange: "Y", refundFeeFen: 100)
                    switch mode {
                    case "tampered":
                        let body = try server.signedResponse(method: request.method, node: node)
                        return Data(
                            String(decoding: body, as: UTF8.self).replacingOccurrences(of: "1.00", with: "2.00").utf8
                        )
                    case "unsigned":
                        return try WireJSON.encode(["alipay_trade_refund_response": node])
                    default:
                        var forger = server
                        forger.alipayPrivateKey = TestProviders.keys.alipayAppKey
                        return try forger.signedResponse(method: request.method, node: node)
                    }
                }
            ) { client in
                await #expect(throws: ProviderError.self) {
                    try await client.refund(
                        AlipayRefundRequest(outTradeNo: "T", refundAmountFen: 100, outRequestNo: "R")
                    )
                }
            }
            #expect(error?.code == .badSignature, "\(mode)")
        }
    }

    @Test("gateway 5xx and no answer are unknown outcomes; a request the gateway cannot verify is refused")
    func transportFailures() async throws {
        let unavailable: @Sendable (StubRequest) async -> StubResponse? = { _ in StubResponse(status: 503) }
        let fiveHundred = try await withClient(unavailable) { client in
            await #expect(throws: ProviderError.self) {
                try await client.refund(AlipayRefundRequest(outTradeNo: "T", refundAmountFen: 1, outRequestNo: "R"))
            }
        }
        #expect(fiveHundred?.code == .unknownOutcome)
        let silent = try await withClient(timeoutMs: 300, gateway(log: RequestLog()) { _ in nil }) { client in
            await #expect(throws: ProviderError.self) {
                try await client.refund(AlipayRefundRequest(outTradeNo: "T", refundAmountFen: 1, outRequestNo: "R"))
            }
        }
        #expect(silent?.code == .unknownOutcome)
        let unsignedRefusal = try await withStubHTTPServer(gateway(log: RequestLog()) { _ in Data() }) { baseURL in
            try await TestProviders.withHTTPClient { http in
                var configuration = try AlipayConfiguration(environment: TestProviders.environment(baseURL: baseURL))
                configuration.appPrivateKey = TestProviders.keys.alipayKey  // not the app key Alipay knows
                let client = AlipayClient(configuration: configuration, httpClient: http, logger: TestProviders.logger)
                return await #expect(throws: ProviderError.self) {
                    try await client.refund(AlipayRefundRequest(outTradeNo: "T", refundAmountFen: 1, outRequestNo: "R"))
                }
            }
        }
        #expect(unsignedRefusal?.code == .refused)
        #expect(unsignedRefusal?.providerCode == "isv.invalid-signature")
    }

    @Test("refundBill asks for the download URL, then downloads the lines")
    func bill() async throws {
        let log = RequestLog()
        let handler: @Sendable (StubRequest) async -> StubResponse? =
            { [server] request in
                await log.append(request)
                if request.method == "GET" {
                    return StubResponse(status: 200, body: Data("header\nT1,R1,12.34\n".utf8))
                }
                guard let verified = try? server.verifyRequest(body: request.body),
                    let biz = try? verified.decodeBizContent(AlipayBillURLRequest.self), biz.billDate == "2026-11-24"
                else { return StubResponse(status: 400) }
                let host = request.headers.first { $0.0.lowercased() == "host" }?.1 ?? ""
                let node = AlipayBillURLResponse(billDownloadURL: "http://\(host)/bill/2026-11-24.csv")
                return StubResponse(
                    status: 200,
                    body: (try? server.signedResponse(method: verified.method, node: node)) ?? Data()
                )
            }
        let lines = try await withClient(handler) { client in
            try await client.refundBill(date: "2026-11-24")
        }
        #expect(lines == ["header", "T1,R1,12.34"])
        #expect(await log.requests.map(\.method) == ["POST", "GET"])
    }

    @Test("notifications verify and must be for our app")
    func notifications() async throws {
        let configuration = try AlipayConfiguration(
            environment: TestProviders.environment(baseURL: "http://127.0.0.1:9")
        )
        try await TestProviders.withHTTPClient { http in
            let client = AlipayClient(configuration: configuration, httpClient: http, logger: TestProviders.logger)
            let body = try server.notification(parameters: [
                "notify_id": "N-1", "out_trade_no": "T1", "out_biz_no": "R1", "refund_fee": "12.34",
                "trade_status": "TRADE_SUCCESS",
            ])
            let notification = try client.parseNotification(headers: [], body: body)
            #expect(notification.notifyID == "N-1")
            #expect(notification.refundFeeFen == 1234)
            let changed = Data(
                String(decoding: body, as: UTF8.self).replacingOccurrences(of: "12.34", with: "99.34").utf8
            )
            #expect(
                (#expect(throws: ProviderError.self) { try client.parseNotification(headers: [], body: changed) })?.code
                    == .badSignature
            )
            var otherApp = server
            otherApp.appID = "2021000000009999"
            let foreign = try otherApp.notification(parameters: ["notify_id": "N-2"])
            #expect(
                (#expect(throws: ProviderError.self) { try client.parseNotification(headers: [], body: foreign) })?.code
                    == .badSignature
            )
        }
    }
}
