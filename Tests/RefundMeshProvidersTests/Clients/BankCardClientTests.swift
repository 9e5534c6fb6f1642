import AsyncHTTPClient
import Foundation
import RefundMeshTestSupport
import Testing

@testable import RefundMeshProviders

@Suite("BankCardClient and GameOperatorClient against a real HTTP server using the server halves")
struct BankCardClientTests {
    let bank = BankCardServer(keySet: TestProviders.keys)
    let gameOperator = GameOperatorServer(keySet: TestProviders.keys)

    private func accepted(_ request: BankRefundRequest) -> BankRefund {
        BankRefund(
            refundNo: request.refundNo,
            bankRefundID: "BR-\(request.refundNo)",
            cardPaymentID: request.cardPaymentID,
            state: .accepted,
            amountFen: request.amountFen,
            acceptedAtMs: 1_764_000_000_000
        )
    }

    /// Verifies as the bank would, then answers.
    private func bankStub(
        log: RequestLog,
        answer: @escaping @Sendable (StubRequest) throws -> StubResponse?
    ) -> @Sendable (StubRequest) async -> StubResponse? {
        { [bank] request in
            await log.append(request)
            do {
                try bank.verifyRequest(
                    method: request.method,
                    target: request.target,
                    headers: request.headers,
                    body: request.body
                )
            } catch {
                return try? StubResponse(status: 401, signed: bank.signedError(code: "SIGN_ERROR", message: "\(error)"))
            }
            return (try? answer(request)) ?? nil
        }
    }

    private func withBank<T: Sendable>(
        timeoutMs: Int = 20_000,
        _ handler: @escaping @Sendable (StubRequest) async -> StubResponse?,
        body: (BankCardClient) async throws -> T
    ) async throws -> T {
        try await withStubHTTPServer(handler) { baseURL in
            try await TestProviders.withHTTPClient { http in
                let configuration = try BankCardConfiguration(
                    environment: TestProviders.environment(baseURL: baseURL, timeoutMs: timeoutMs)
                )
                return try await body(
                    BankCardClient(configuration: configuration, httpClient: http, logger: TestProviders.logger)
                )
            }
        }
    }

    @Test("submit and query are signed, verified and decoded")
    func submitAndQuery() async throws {
        let log = RequestLog()
        try await withBank(
            bankStub(log: log) { [bank] request in
                if request.method == "POST" {
                    let sent = try JSONDecoder().decode(BankRefundRequest.self, from: request.body)
                    return StubResponse(status: 200, signed: try bank.signedResponse(accepted(sent)))
                }
                if request.target == "/bank/v1/refunds/B-1" {
                    var refund = accepted(
                        BankRefundRequest(merchantID: "", refundNo: "B-1", cardPaymentID: "CP", amountFen: 500)
                    )
                    refund.state = .returned
                    refund.returnReason = "card closed"
                    return StubResponse(status: 200, signed: try bank.signedResponse(refund))
                }
                return StubResponse(
                    status: 404,
                    signed: try bank.signedError(code: "NOT_FOUND", message: "no such refund")
                )
            }
        ) { client in
            let refund = try await client.submit(refundNo: "B-1", cardPaymentID: "CP-9", amountFen: 500)
            #expect(refund.state == .accepted)
            #expect(refund.amountFen == 500)
            let queried = try await client.query(refundNo: "B-1")
            #expect(queried.state == .returned)
            let missing = await #expect(throws: ProviderError.self) { try await client.query(refundNo: "B-2") }
            #expect(missing?.code == .notFound)
        }
        let submitted = try #require(await log.requests.first)
        let sent = try JSONDecoder().decode(BankRefundRequest.self, from: submitted.body)
        #expect(sent.merchantID == ProviderKeySet.DevelopmentIdentity.bankMerchantID)
        #expect(sent.currency == "CNY")
        #expect(submitted.headers.contains { $0.0 == "X-Bank-Signature" })
    }

    @Test(
        "bank errors map to refused, rate limited and unknown outcome",
        arguments: [
            (400, "AMOUNT_EXCEEDS_PAYMENT", ProviderError.Code.refused),
            (409, "REFUND_NO_CONFLICT", .refused),
            (404, "PAYMENT_NOT_FOUND", .refused),
            (429, "RATE_LIMITED", .rateLimited),
            (500, "SYSTEM_ERROR", .unknownOutcome),
            (503, "UNAVAILABLE", .unknownOutcome),
        ]
    )
    func errorMapping(status: Int, code: String, expected: ProviderError.Code) async throws {
        let error = try await withBank(
            bankStub(log: RequestLog()) { [bank] _ in
                StubResponse(status: status, signed: try bank.signedError(code: code, message: "m"))
            }
        ) { client in
            await #expect(throws: ProviderError.self) {
                try await client.submit(refundNo: "B", cardPaymentID: "C", amountFen: 1)
            }
        }
        #expect(error?.code == expected)
        #expect(error?.providerCode == code)
    }

    @Test("a forged answer is badSignature; a timeout is an unknown outcome")
    func forgedAndTimeout() async throws {
        let forger = BankCardServer(
            merchantID: ProviderKeySet.DevelopmentIdentity.bankMerchantID,
            hmacKey: SecretKey(text: "not-the-shared-bank-key-000000")
        )
        let forged = try await withBank(
            bankStub(log: RequestLog()) { request in
                let sent = try JSONDecoder().decode(BankRefundRequest.self, from: request.body)
                return StubResponse(status: 200, signed: try forger.signedResponse(accepted(sent)))
            }
        ) { client in
            await #expect(throws: ProviderError.self) {
                try await client.submit(refundNo: "B", cardPaymentID: "C", amountFen: 1)
            }
        }
        #expect(forged?.code == .badSignature)
        let silent = try await withBank(timeoutMs: 300, bankStub(log: RequestLog()) { _ in nil }) { client in
            await #expect(throws: ProviderError.self) {
                try await client.submit(refundNo: "B", cardPaymentID: "C", amountFen: 1)
            }
        }
        #expect(silent?.code == .unknownOutcome)
    }

    @Test("notifications and the settlement file round-trip through the server half")
    func notificationsAndSettlement() async throws {
        let file = BankSettlementFile(entries: [
            .init(
                refundNo: "B-1",
                bankRefundID: "BR-1",
                cardPaymentID: "CP-1",
                amountFen: 500,
                state: .settled,
                settledAtMs: 1_764_000_000_000
            ),
            .init(
                refundNo: "B-2",
                bankRefundID: "BR-2",
                cardPaymentID: "CP-2",
                amountFen: 70,
                state: .returned,
                settledAtMs: 1_764_000_000_001
            ),
        ])
        let log = RequestLog()
        try await withBank(
            bankStub(log: log) { [bank] _ in
                let body = Data(file.csv.utf8)
                return StubResponse(status: 200, headers: bank.signedResponseHeaders(body: body), body: body)
            }
        ) { client in
            #expect(try await client.settlementFile(date: "2026-11-24") == file)

            let notification = BankRefundNotification(
                notificationID: "BN-1",
                merchantID: ProviderKeySet.DevelopmentIdentity.bankMerchantID,
                occurredAtMs: 1_764_000_000_000,
                refund: accepted(
                    BankRefundRequest(merchantID: "", refundNo: "B-1", cardPaymentID: "CP-1", amountFen: 500)
                )
            )
            let signed = try bank.notification(notification)
            #expect(try client.parseNotification(headers: signed.headers, body: signed.body) == notification)
            var changed = signed.body
            changed[changed.startIndex + 5] ^= 0x01
            #expect(
                (#expect(throws: ProviderError.self) {
                    try client.parseNotification(headers: signed.headers, body: changed)
                })?.code == .badSignature
            )
            let stale = #expect(throws: ProviderError.self) {
                try client.parseNotification(
                    headers: signed.headers,
                    body: signed.body,
                    now: Date().addingTimeInterval(-900)
                )
            }
            #expect((stale?.cause as? SignatureVerificationError)?.code == .staleTimestamp)
        }
        #expect(await log.requests.map(\.target) == ["/bank/v1/settlements/2026-11-24"])
        #expect(throws: ProviderError.self) { try BankSettlementFile(csv: "wrong header\n") }
        #expect(throws: ProviderError.self) {
            try BankSettlementFile(csv: BankSettlementFile.header + "\nB,BR,CP,notanumber,CNY,SETTLED,1\n")
        }
    }

    @Test("the operator client reads recharge statuses; unknown orders are notFound, wrong keys refused")
    func gameOperatorClient() async throws {
        let log = RequestLog()
        let handler: @Sendable (StubRequest) async -> StubResponse? = { [gameOperator] request in
            await log.append(request)
            do {
                try gameOperator.verifyRequest(
                    method: request.method,
                    target: request.target,
                    headers: request.headers,
                    body: request.body
                )
            } catch {
                return try? StubResponse(
                    status: 401,
                    signed: gameOperator.signedResponse(ProviderErrorBody(code: "SIGN_ERROR", message: "\(error)"))
                )
            }
            let orderID = String(request.target.split(separator: "/").last ?? "")
            switch orderID {
            case "O-credited":
                return try? StubResponse(
                    status: 200,
                    signed: gameOperator.signedResponse(
                        OperatorRecharge(orderID: orderID, status: .credited, creditedAtMs: 1)
                    )
                )
            case "O-failed":
                return try? StubResponse(
                    status: 200,
                    signed: gameOperator.signedResponse(OperatorRecharge(orderID: orderID, status: .failed))
                )
            case "O-busy":
                return try? StubResponse(
                    status: 500,
                    signed: gameOperator.signedResponse(ProviderErrorBody(code: "SYSTEM_ERROR", message: "down"))
                )
            default:
                return try? StubResponse(
                    status: 404,
                    signed: gameOperator.signedResponse(ProviderErrorBody(code: "NOT_FOUND", message: "no order"))
                )
            }
        }
        try await withStubHTTPServer(handler) { baseURL in
            try await TestProviders.withHTTPClient { http in
                var configuration = try GameOperatorConfiguration(
                    environment: TestProviders.environment(baseURL: baseURL)
                )
                let client = GameOperatorClient(
                    configuration: configuration,
                    httpClient: http,
                    logger: TestProviders.logger
                )
                #expect(try await client.rechargeStatus(orderID: "O-credited").status == .credited)
                #expect(try await client.rechargeStatus(orderID: "O-failed").status == .failed)
                #expect(
                    (await #expect(throws: ProviderError.self) { try await client.rechargeStatus(orderID: "O-none") })?
                        .code == .notFound
                )
                #expect(
                    (await #expect(throws: ProviderError.self) { try await client.rechargeStatus(orderID: "O-busy") })?
                        .code == .unknownOutcome
                )
                configuration.hmacKey = SecretKey(text: "wrong-operator-key-0123456789")
                let wrongKey = GameOperatorClient(
                    configuration: configuration,
                    httpClient: http,
                    logger: TestProviders.logger
                )
                // The stub answers 401 signed with the right key, which the wrong-key client cannot verify.
                let error = await #expect(throws: ProviderError.self) {
                    try await wrongKey.rechargeStatus(orderID: "O-credited")
                }
                #expect(error?.code == .badSignature)
            }
        }
        #expect(await log.requests.first?.target == "/operator/v1/recharges/O-credited")
    }
}
