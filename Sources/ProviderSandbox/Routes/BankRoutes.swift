import Foundation
import Hummingbird
import RefundMeshProviders

/// The card-acquiring bank: `POST /bank/v1/refunds`, `GET /bank/v1/refunds/{refund_no}`, the
/// daily settlement file `GET /bank/v1/settlements/{YYYY-MM-DD}`; requests and answers
/// HMAC-SHA256-signed (`X-Bank-*`). A refund is ACCEPTED, SETTLED after 3-5 sandbox working days
/// (R-C3), or RETURNED (closed, or taken back by the issuer after settling, R-C8).
/// Signing and shapes come from RefundMeshProviders (`BankCardServer`).
struct BankRoutes: Sendable {
    let desk: RefundDesk
    let server: BankCardServer
    /// The merchant's notify URL as registered with the bank (`SANDBOX_BANK_NOTIFY_URL`).
    let notifyURL: String?

    func register(on router: Router<BasicRequestContext>) {
        router.post("bank/v1/refunds") { request, _ in try await submit(request) }
        router.get("bank/v1/refunds/:refund_no") { request, context in
            try await query(request, refundNo: try context.parameters.require("refund_no"))
        }
        router.get("bank/v1/settlements/:date") { request, context in
            try await settlements(request, date: try context.parameters.require("date"))
        }
    }

    private func submit(_ request: Request) async throws -> Response {
        let body = Data(try await HTTPExchange.body(of: request))
        if let refused = try await verify(request, body: body) { return refused }
        let refund: BankRefundRequest
        do {
            refund = try JSONDecoder().decode(BankRefundRequest.self, from: body)
        } catch {
            return try answerError(.badRequest, "INVALID_REQUEST", "body is not a bank refund request: \(error)")
        }
        guard refund.merchantID == server.authenticator.identity else {
            return try answerError(
                .forbidden,
                "MERCHANT_MISMATCH",
                "merchant_id \(refund.merchantID) is not the signing merchant \(server.authenticator.identity)"
            )
        }
        guard refund.amountFen > 0, refund.currency == "CNY", !refund.refundNo.isEmpty, !refund.cardPaymentID.isEmpty
        else {
            return try answerError(
                .badRequest,
                "INVALID_REQUEST",
                "refund_no and card_payment_id are required, amount_fen must be > 0, currency CNY"
            )
        }
        let answer = try await desk.submit(
            RefundSubmission(
                provider: .bank,
                merchant: refund.merchantID,
                refundNo: refund.refundNo,
                tradeNo: refund.cardPaymentID,
                amountFen: refund.amountFen,
                totalFen: nil,
                notifyURL: notifyURL,
                reason: nil
            )
        )
        switch answer {
        case .refund(let recorded, let isNew):
            return try answerJSON(Self.wire(recorded), status: isNew ? .created : .ok)
        case .failed(let code):
            let status: HTTPResponse.Status =
                switch code {
                case ProviderErrorBody.Code.rateLimited: .tooManyRequests
                case ProviderErrorBody.Code.systemError: .internalServerError
                default: .badRequest
                }
            return try answerError(status, code, "sandbox: scripted or random failure \(code)")
        case .merchantRateLimited:
            return try answerError(.tooManyRequests, ProviderErrorBody.Code.rateLimited, "too many requests")
        case .refused(.exceedsTrade(let requested, let remaining)):
            return try answerError(
                .badRequest,
                "AMOUNT_EXCEEDS_PAYMENT",
                "\(requested) fen exceeds what remains of the card payment (\(remaining) fen) (R-C5)"
            )
        case .refused(.discordantRepeat(let existing)):
            return try answerError(
                .conflict,
                "REFUND_NO_CONFLICT",
                "refund_no \(existing.refundNo) was used for \(existing.amountFen) fen of \(existing.tradeNo)"
            )
        case .refused(.unknownTrade):
            return try answerError(.notFound, "PAYMENT_NOT_FOUND", "no card payment \(refund.cardPaymentID)")
        case .refused(let refusal):
            return try answerError(.badRequest, "REFUND_NOT_ALLOWED", "\(refusal)")
        }
    }

    private func query(_ request: Request, refundNo: String) async throws -> Response {
        if let refused = try await verify(request, body: Data()) { return refused }
        guard let refund = try await desk.store.refund(provider: .bank, refundNo: refundNo) else {
            return try answerError(.notFound, "NOT_FOUND", "no refund \(refundNo)")
        }
        return try answerJSON(Self.wire(refund), status: .ok)
    }

    private func settlements(_ request: Request, date: String) async throws -> Response {
        if let refused = try await verify(request, body: Data()) { return refused }
        guard let day = BillDay(date) else {
            return try answerError(.badRequest, "INVALID_DATE", "\(date) is not YYYY-MM-DD")
        }
        let entries = try await desk.store.refunds(provider: .bank).compactMap { refund -> BankSettlementFile.Entry? in
            guard refund.moneyMoved == 1, let settled = refund.settledAtMs, day.contains(settled) else { return nil }
            let wire = Self.wire(refund)
            return BankSettlementFile.Entry(
                refundNo: refund.refundNo,
                bankRefundID: refund.providerRefundID,
                cardPaymentID: refund.tradeNo,
                amountFen: refund.amountFen,
                state: wire.state,
                settledAtMs: settled
            )
        }
        let body = Data(BankSettlementFile(entries: entries).csv.utf8)
        return ProviderHTTP.response(
            status: .ok,
            headers: server.signedResponseHeaders(body: body) + [("Content-Type", "text/csv; charset=utf-8")],
            body: body
        )
    }

    /// The refund in the bank's words.
    static func wire(_ refund: ProviderRefund) -> BankRefund {
        let state: BankRefundState =
            switch refund.state {
            case .processing: .accepted
            case .success: .settled
            case .closed, .abnormal: .returned
            }
        return BankRefund(
            refundNo: refund.refundNo,
            bankRefundID: refund.providerRefundID,
            cardPaymentID: refund.tradeNo,
            state: state,
            amountFen: refund.amountFen,
            acceptedAtMs: refund.createdAtMs,
            settledAtMs: refund.moneyMoved == 1 ? refund.settledAtMs : nil,
            returnedAtMs: refund.reversed ? refund.reversedAtMs : (state == .returned ? refund.settledAtMs : nil),
            returnReason: refund.reversed
                ? "returned by the card issuer" : (state == .returned ? "refused by the card issuer" : nil)
        )
    }

    /// A signed notification of `order`; a stale one (out_of_order) carries the earlier state.
    static func notification(
        server: BankCardServer,
        refund: ProviderRefund,
        order: NotificationOrder,
        eventID: String,
        now: Int64
    ) throws -> (headers: ProviderHeaders, body: Data) {
        var shown = refund
        shown.state = order.state
        if order.stale, order.state == .success { shown.reversed = false }
        return try server.notification(
            BankRefundNotification(
                notificationID: eventID,
                merchantID: refund.merchant,
                occurredAtMs: now,
                refund: wire(shown)
            )
        )
    }

    private func verify(_ request: Request, body: Data) async throws -> Response? {
        do {
            try server.verifyRequest(
                method: request.method.rawValue,
                target: ProviderHTTP.target(of: request),
                headers: ProviderHTTP.headers(of: request),
                body: body
            )
            return nil
        } catch {
            try await desk.store.count(.signatureErrors)
            return try answerError(.unauthorized, "SIGN_ERROR", "\(error)")
        }
    }

    private func answerJSON(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let (headers, body) = try server.signedResponse(value)
        return ProviderHTTP.response(status: status, headers: headers, body: body)
    }

    private func answerError(_ status: HTTPResponse.Status, _ code: String, _ message: String) throws -> Response {
        let (headers, body) = try server.signedError(code: code, message: message)
        return ProviderHTTP.response(status: status, headers: headers, body: body)
    }
}
