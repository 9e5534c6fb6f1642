import Foundation
import Hummingbird
import RefundMeshProviders

/// The game operator (R-R2): `GET /operator/v1/recharges/{order_id}` answers what it knows
/// about a recharge (`CREDITED`, `FAILED`, `PENDING`, `UNKNOWN`), HMAC-signed (`X-Operator-*`);
/// an order it never saw is 404 `NOT_FOUND` (docs/PROVIDERS.md). Its records are set through
/// `PUT /sandbox/v1/operator/recharges/{order_id}`.
struct OperatorRoutes: Sendable {
    let desk: RefundDesk
    let server: GameOperatorServer

    func register(on router: Router<BasicRequestContext>) {
        router.get("operator/v1/recharges/:order_id") { request, context in
            try await recharge(request, orderID: try context.parameters.require("order_id"))
        }
    }

    private func recharge(_ request: Request, orderID: String) async throws -> Response {
        do {
            try server.verifyRequest(
                method: request.method.rawValue,
                target: ProviderHTTP.target(of: request),
                headers: ProviderHTTP.headers(of: request),
                body: Data()
            )
        } catch {
            try await desk.store.count(.signatureErrors)
            return try answer(ProviderErrorBody(code: "SIGN_ERROR", message: "\(error)"), status: .unauthorized)
        }
        let behaviour = try await desk.behaviour(
            for: RequestFacts(provider: .operator, refundNo: nil, tradeNo: nil, orderID: orderID, phone: nil)
        )
        if let code = behaviour.fail {
            try await desk.store.count(.failedAnswers)
            let status: HTTPResponse.Status =
                code == ProviderErrorBody.Code.rateLimited ? .tooManyRequests : .internalServerError
            return try answer(
                ProviderErrorBody(code: code, message: "sandbox: scripted or random failure"),
                status: status
            )
        }
        let record = try await desk.store.recharge(orderID: orderID)
        if behaviour.timeoutAfterCommit == true {
            try await desk.store.count(.timeoutsAfterCommit)
            await desk.stall()
        }
        guard let record else {
            return try answer(
                ProviderErrorBody(code: "NOT_FOUND", message: "the operator has no recharge order \(orderID)"),
                status: .notFound
            )
        }
        return try answer(record, status: .ok)
    }

    private func answer(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let (headers, body) = try server.signedResponse(value)
        return ProviderHTTP.response(status: status, headers: headers, body: body)
    }
}
