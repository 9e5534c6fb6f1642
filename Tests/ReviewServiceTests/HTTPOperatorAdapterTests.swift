import AsyncHTTPClient
import Foundation
import Logging
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshProviders
import RefundMeshTestSupport
import Testing

@testable import ReviewService

@Suite("HTTPOperatorAdapter asks the game operator over signed HTTP (R-R2)")
struct HTTPOperatorAdapterTests {
    static let key = SecretKey(text: "operator-shared-secret-for-tests-0001")
    static let clientID = "refundmesh-review"

    @Test("operator statuses map to the review's recharge facts")
    func mapping() {
        #expect(HTTPOperatorAdapter.rechargeStatus(.credited) == .credited)
        #expect(HTTPOperatorAdapter.rechargeStatus(.failed) == .failed)
        #expect(HTTPOperatorAdapter.rechargeStatus(.pending) == .unknown)
        #expect(HTTPOperatorAdapter.rechargeStatus(.unknown) == .unknown)
        #expect(HTTPOperatorAdapter.rechargeStatus(OperatorRechargeStatus(rawValue: "REVERSED")) == .unknown)
    }

    private func withAdapter<T: Sendable>(
        _ handler: @escaping @Sendable (StubRequest) async -> StubResponse?,
        body: (HTTPOperatorAdapter) async throws -> T
    ) async throws -> T {
        try await withStubHTTPServer(handler) { baseURL in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let configuration = GameOperatorConfiguration(
                baseURL: baseURL,
                clientID: Self.clientID,
                hmacKey: Self.key,
                timeout: .seconds(20)
            )
            let adapter = HTTPOperatorAdapter(
                client: GameOperatorClient(
                    configuration: configuration,
                    httpClient: http,
                    logger: Logger(label: "test")
                )
            )
            do {
                let result = try await body(adapter)
                try await http.shutdown()
                return result
            } catch {
                try await http.shutdown()
                throw error
            }
        }
    }

    @Test("a signed CREDITED/FAILED/PENDING answer becomes credited/failed/unknown; an unknown order is unknown")
    func answers() async throws {
        let server = GameOperatorServer(clientID: Self.clientID, hmacKey: Self.key)
        let log = RequestLog()
        let operatorAnswers: @Sendable (StubRequest) async -> StubResponse? = { request in
            await log.append(request)
            guard
                (try? server.verifyRequest(
                    method: request.method,
                    target: request.target,
                    headers: request.headers,
                    body: request.body
                )) != nil
            else { return StubResponse(status: 401) }
            let orderID = String(request.target.split(separator: "/").last ?? "")
            let status: OperatorRechargeStatus
            switch orderID {
            case "O-1": status = .credited
            case "O-2": status = .failed
            case "O-3": status = .pending
            default:
                guard let signed = try? server.signedResponse(ProviderErrorBody(code: "NOT_FOUND", message: "no order"))
                else { return nil }
                return StubResponse(status: 404, headers: signed.headers, body: signed.body)
            }
            guard let signed = try? server.signedResponse(OperatorRecharge(orderID: orderID, status: status)) else {
                return nil
            }
            return StubResponse(status: 200, headers: signed.headers, body: signed.body)
        }
        try await withAdapter(operatorAnswers) { adapter in
            var answers: [FulfillmentFacts.RechargeStatus] = []
            for orderID in ["O-1", "O-2", "O-3", "O-4"] {
                answers.append(
                    try await adapter.rechargeStatus(of: Order(orderID: orderID, productKind: .directRecharge))
                )
            }
            #expect(answers == [.credited, .failed, .unknown, .unknown])
        }
        #expect(await log.requests.count == 4)
    }

    @Test("an operator that is down throws, so review queues the case and asks again (R-R2)")
    func operatorDown() async throws {
        let unavailable: @Sendable (StubRequest) async -> StubResponse? = { _ in StubResponse(status: 503) }
        let error = try await withAdapter(unavailable) { adapter in
            await #expect(throws: ProviderError.self) {
                try await adapter.rechargeStatus(of: Order(orderID: "O-1", productKind: .directRecharge))
            }
        }
        #expect(error?.code == .unknownOutcome)
    }
}
