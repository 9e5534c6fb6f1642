import AsyncHTTPClient
import Crypto
import Foundation
import RefundMeshTestSupport
import Testing

@testable import RefundMeshProviders

@Suite("WeChatPayClient against a real HTTP server using the server half")
struct WeChatPayClientTests {
    let server = WeChatPayServer(keySet: TestProviders.keys)

    private func refund(_ outRefundNo: String, status: WeChatPayRefundStatus = .processing) -> WeChatPayRefund {
        WeChatPayRefund(
            refundID: "50000000382019052709732678859",
            outRefundNo: outRefundNo,
            outTradeNo: "T1",
            status: status,
            amount: .init(total: 1000, refund: 300, payerTotal: 1000, payerRefund: 300)
        )
    }

    /// Verifies every request as WeChat Pay would and answers with `answer`.
    private func provider(
        log: RequestLog,
        answer: @escaping @Sendable (StubRequest) throws -> StubResponse?
    ) -> @Sendable (StubRequest) async -> StubResponse? {
        { [server] request in
            await log.append(request)
            do {
                _ = try server.verifyRequest(
                    method: request.method,
                    target: request.target,
                    headers: request.headers,
                    body: request.body
                )
            } catch {
                let body = server.errorBody(code: WeChatPayErrorBody.Code.signError, message: "\(error)")
                return StubResponse(
                    status: 401,
                    headers: (try? server.signedResponseHeaders(body: body)) ?? [],
                    body: body
                )
            }
            do {
                return try answer(request)
            } catch {
                return StubResponse(status: 599)
            }
        }
    }

    private func withClient<T: Sendable>(
        timeoutMs: Int = 20_000,
        _ handler: @escaping @Sendable (StubRequest) async -> StubResponse?,
        body: (WeChatPayClient) async throws -> T
    ) async throws -> T {
        try await withStubHTTPServer(handler) { baseURL in
            try await TestProviders.withHTTPClient { http in
                let configuration = try WeChatPayConfiguration(
                    environment: TestProviders.environment(baseURL: baseURL, timeoutMs: timeoutMs)
                )
                return try await body(
                    WeChatPayClient(configuration: configuration, httpClient: http, logger: TestProviders.logger)
                )
            }
        }
    }

    @Test("createRefund sends a correctly signed JSON request and returns the verified answer")
    func createRefund() async throws {
        let log = RequestLog()
        let answer = refund("RF-1")
        let result = try await withClient(
            provider(log: log) { [server] request in
                StubResponse(status: 200, signed: try server.signedResponse(answer))
            }
        ) { client in
            try await client.createRefund(
                WeChatPayRefundRequest(
                    outTradeNo: "T1",
                    outRefundNo: "RF-1",
                    reason: "未到账",
                    amount: .init(refund: 300, total: 1000)
                )
            )
        }
        #expect(result == answer)
        let request = try #require(await log.requests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/v3/refund/domestic/refunds")
        let sent = try JSONDecoder().decode(WeChatPayRefundRequest.self, from: request.body)
        #expect(sent.outRefundNo == "RF-1")
        #expect(sent.amount == .init(refund: 300, total: 1000, currency: "CNY"))
        #expect(sent.notifyURL == "http://127.0.0.1:1/notify/wechatpay")  // filled from WECHATPAY_NOTIFY_URL
        #expect(
            request.headers.contains {
                $0.0.lowercased() == "authorization" && $0.1.hasPrefix("WECHATPAY2-SHA256-RSA2048 ")
            }
        )
    }

    @Test("queryRefund signs a GET on the percent-encoded number; 404 RESOURCE_NOT_EXISTS is notFound")
    func queryRefund() async throws {
        let log = RequestLog()
        try await withClient(
            provider(log: log) { [server] request in
                if request.target.hasSuffix("/RF-2") {
                    return StubResponse(
                        status: 200,
                        signed: try server.signedResponse(refund("RF-2", status: .success))
                    )
                }
                let body = server.errorBody(code: WeChatPayErrorBody.Code.resourceNotExists, message: "退款单不存在")
                return StubResponse(status: 404, headers: try server.signedResponseHeaders(body: body), body: body)
            }
        ) { client in
            let found = try await client.queryRefund(outRefundNo: "RF-2")
            #expect(found.status == .success)
            let error = await #expect(throws: ProviderError.self) {
                try await client.queryRefund(outRefundNo: "RF 3/x")
            }
            #expect(error?.code == .notFound)
            #expect(error?.providerCode == "RESOURCE_NOT_EXISTS")
        }
        #expect(
            await log.requests.map(\.target) == [
                "/v3/refund/domestic/refunds/RF-2", "/v3/refund/domestic/refunds/RF%203%2Fx",
            ]
        )
    }

    @Test(
        "error answers map to refused, rate limited and unknown outcome",
        arguments: [
            (429, "FREQUENCY_LIMITED", ProviderError.Code.rateLimited),
            (403, "NOT_ENOUGH", .refused),
            (400, "PARAM_ERROR", .refused),
            (400, "INVALID_REQUEST", .refused),
            (500, "SYSTEM_ERROR", .unknownOutcome),
            (502, "BAD_GATEWAY", .unknownOutcome),
            (403, "FREQUENCY_LIMITED", .rateLimited),
            (404, "RESOURCE_NOT_EXISTS", .refused),  // on create: the paid order is unknown
        ]
    )
    func errorMapping(status: Int, code: String, expected: ProviderError.Code) async throws {
        let error = try await withClient(
            provider(log: RequestLog()) { [server] _ in
                let body = server.errorBody(code: code, message: "从供应商来的消息")
                return StubResponse(
                    status: status,
                    headers: try server.signedResponseHeaders(body: body) + [("Retry-After", "2")],
                    body: body
                )
            }
        ) { client in
            await #expect(throws: ProviderError.self) {
                try await client.createRefund(
                    WeChatPayRefundRequest(outTradeNo: "T", outRefundNo: "R", amount: .init(refund: 1, total: 1))
                )
            }
        }
        #expect(error?.code == expected)
        #expect(error?.providerCode == code)
        #expect(error?.providerMessage == "从供应商来的消息")
        #expect(error?.httpStatus == status)
        #expect(error?.retryAfter == (expected == .rateLimited ? .seconds(2) : nil))
    }

    @Test("a request signed with the wrong merchant key is refused with SIGN_ERROR")
    func wrongMerchantKey() async throws {
        try await withStubHTTPServer(provider(log: RequestLog()) { _ in StubResponse(status: 200) }) { baseURL in
            try await TestProviders.withHTTPClient { http in
                var configuration = try WeChatPayConfiguration(environment: TestProviders.environment(baseURL: baseURL))
                configuration.merchantPrivateKey = TestProviders.keys.alipayAppKey
                let client = WeChatPayClient(
                    configuration: configuration,
                    httpClient: http,
                    logger: TestProviders.logger
                )
                let error = await #expect(throws: ProviderError.self) { try await client.queryRefund(outRefundNo: "R") }
                #expect(error?.code == .refused)
                #expect(error?.providerCode == "SIGN_ERROR")
            }
        }
    }

    @Test("an answer not signed by the platform key is badSignature, never trusted")
    func forgedAnswer() async throws {
        let forger = WeChatPayServer(
            merchantID: server.merchantID,
            merchantSerial: server.merchantSerial,
            merchantPublicKey: server.merchantPublicKey,
            platformSerial: server.platformSerial,
            platformPrivateKey: TestProviders.keys.alipayKey,
            apiV3Key: server.apiV3Key
        )
        let error = try await withClient(
            provider(log: RequestLog()) { _ in
                StubResponse(status: 200, signed: try forger.signedResponse(refund("R", status: .success)))
            }
        ) { client in
            await #expect(throws: ProviderError.self) { try await client.queryRefund(outRefundNo: "R") }
        }
        #expect(error?.code == .badSignature)
        #expect(error?.outcomeIsUnknown == true)
        #expect((error?.cause as? SignatureVerificationError)?.code == .signatureMismatch)
    }

    @Test("no answer before the deadline is an unknown outcome (R-C6)")
    func timeout() async throws {
        let error = try await withClient(timeoutMs: 300, provider(log: RequestLog()) { _ in nil }) { client in
            await #expect(throws: ProviderError.self) {
                try await client.createRefund(
                    WeChatPayRefundRequest(outTradeNo: "T", outRefundNo: "R", amount: .init(refund: 1, total: 1))
                )
            }
        }
        #expect(error?.code == .unknownOutcome)
        #expect(error?.message.contains("same request number") == true)
    }

    @Test("a refused connection is an unknown outcome")
    func connectionRefused() async throws {
        // Bind, learn a free port, close: nothing listens there afterwards.
        let silent: @Sendable (StubRequest) async -> StubResponse? = { _ in nil }
        let baseURL = try await withStubHTTPServer(silent) { $0 }
        try await TestProviders.withHTTPClient { http in
            let configuration = try WeChatPayConfiguration(
                environment: TestProviders.environment(baseURL: baseURL, timeoutMs: 5000)
            )
            let client = WeChatPayClient(configuration: configuration, httpClient: http, logger: TestProviders.logger)
            let error = await #expect(throws: ProviderError.self) { try await client.queryRefund(outRefundNo: "R") }
            #expect(error?.code == .unknownOutcome)
        }
    }

    @Test("notifications built by the server half parse: verified, decrypted; tampering and staleness are caught")
    func notifications() async throws {
        let notice = WeChatPayRefundNotice(
            merchantID: server.merchantID,
            transactionID: "4200000000000000",
            outTradeNo: "T1",
            refundID: "50000",
            outRefundNo: "RF-9",
            refundStatus: .success,
            successTime: WeChatPayServer.timeString(Date()),
            userReceivedAccount: "支付用户零钱",
            amount: .init(total: 1000, refund: 300, payerTotal: 1000, payerRefund: 300)
        )
        let (headers, body) = try server.notification(
            eventType: WeChatPayNotification.EventType.refundSuccess,
            notice: notice,
            id: "EV-1"
        )
        let configuration = try WeChatPayConfiguration(
            environment: TestProviders.environment(baseURL: "http://127.0.0.1:9")
        )
        try await TestProviders.withHTTPClient { http in
            let client = WeChatPayClient(configuration: configuration, httpClient: http, logger: TestProviders.logger)
            let parsed = try client.parseNotification(headers: headers, body: body)
            #expect(parsed.id == "EV-1")
            #expect(parsed.eventType == "REFUND.SUCCESS")
            #expect(parsed.notice == notice)

            var tampered = body
            tampered[tampered.startIndex + 10] ^= 0x01
            #expect(
                (#expect(throws: ProviderError.self) { try client.parseNotification(headers: headers, body: tampered) })?
                    .code == .badSignature
            )
            let stale = #expect(throws: ProviderError.self) {
                try client.parseNotification(headers: headers, body: body, now: Date().addingTimeInterval(3600))
            }
            #expect((stale?.cause as? SignatureVerificationError)?.code == .staleTimestamp)

            // Right signature, but the resource was encrypted under another APIv3 key.
            var otherKeyServer = server
            otherKeyServer.apiV3Key = SecretKey(text: String(repeating: "x", count: 32))
            let other = try otherKeyServer.notification(eventType: "REFUND.SUCCESS", notice: notice)
            let decryption = #expect(throws: ProviderError.self) {
                try client.parseNotification(headers: other.headers, body: other.body)
            }
            #expect((decryption?.cause as? SignatureVerificationError)?.code == .decryptionFailed)
        }
    }

    @Test("refundBill follows the signed download_url and checks the SHA1; a changed bill is rejected")
    func refundBill() async throws {
        let bill = "交易时间,商户退款单号,退款金额\n`2026-11-24 10:00:00,`RF-1,`3.00\n"
        for corrupt in [false, true] {
            let log = RequestLog()
            let result: Result<[String], ProviderError> = try await withClient(
                provider(log: log) { [server] request in
                    if request.target.hasPrefix("/v3/bill/tradebill") {
                        let hash = Insecure.SHA1.hash(data: Data(bill.utf8)).map { String(format: "%02x", $0) }.joined()
                        let host = request.headers.first { $0.0.lowercased() == "host" }?.1 ?? ""
                        let location = WeChatPayBillLocation(
                            hashHex: hash,
                            downloadURL: "http://\(host)/v3/billdownload/file?token=abc"
                        )
                        return StubResponse(status: 200, signed: try server.signedResponse(location))
                    }
                    return StubResponse(status: 200, body: Data((corrupt ? bill + "x" : bill).utf8))
                }
            ) { client in
                do {
                    return .success(try await client.refundBill(date: "2026-11-24"))
                } catch let error as ProviderError {
                    return .failure(error)
                }
            }
            let targets = await log.requests.map(\.target)
            #expect(
                targets == [
                    "/v3/bill/tradebill?bill_date=2026-11-24&bill_type=REFUND", "/v3/billdownload/file?token=abc",
                ]
            )
            switch result {
            case .success(let lines):
                #expect(!corrupt)
                #expect(lines.count == 2)
                #expect(lines[1].contains("RF-1"))
            case .failure(let error):
                #expect(corrupt)
                #expect(error.code == .badSignature)
            }
        }
    }

    @Test("a malformed bill date is rejected before anything is sent")
    func badBillDate() async throws {
        let log = RequestLog()
        let error = try await withClient(provider(log: log) { _ in StubResponse(status: 200) }) { client in
            await #expect(throws: ProviderError.self) { try await client.refundBill(date: "24/11/2026") }
        }
        #expect(error?.code == .invalidRequest)
        #expect(await log.requests.isEmpty)
    }
}
