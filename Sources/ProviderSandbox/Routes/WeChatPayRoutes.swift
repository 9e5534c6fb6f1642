import Crypto
import Foundation
import Hummingbird
import RefundMeshProviders

/// WeChat Pay API v3's refund endpoints, answered the way WeChat answers them: every request's
/// `Authorization` (SHA256withRSA by the merchant key) is verified, every answer — errors too —
/// is signed with the platform key, errors are `{"code","message"}` with WeChat's HTTP status.
/// Signing and shapes come from RefundMeshProviders (`WeChatPayServer`).
struct WeChatPayRoutes: Sendable {
    let desk: RefundDesk
    let server: WeChatPayServer

    func register(on router: Router<BasicRequestContext>) {
        router.post("v3/refund/domestic/refunds") { request, _ in try await create(request) }
        router.get("v3/refund/domestic/refunds/:out_refund_no") { request, context in
            try await query(request, refundNo: try context.parameters.require("out_refund_no"))
        }
        router.get("v3/bill/tradebill") { request, _ in try await billLocation(request) }
        router.get("v3/billdownload/file") { request, _ in try await billFile(request) }
    }

    // MARK: Endpoints

    private func create(_ request: Request) async throws -> Response {
        let body = Data(try await HTTPExchange.body(of: request))
        let authorization: WeChatPayAuthorization
        do {
            authorization = try verify(request, body: body)
        } catch {
            return try await signatureError(error)
        }
        let refund: WeChatPayRefundRequest
        do {
            refund = try JSONDecoder().decode(WeChatPayRefundRequest.self, from: body)
        } catch {
            return try answerError(.badRequest, WeChatPayErrorBody.Code.paramError, "请求参数错误: \(error)")
        }
        guard let tradeNo = refund.outTradeNo ?? refund.transactionID, !tradeNo.isEmpty else {
            return try answerError(.badRequest, WeChatPayErrorBody.Code.paramError, "out_trade_no 或 transaction_id 必填")
        }
        guard !refund.outRefundNo.isEmpty, refund.outRefundNo.count <= 64 else {
            return try answerError(.badRequest, WeChatPayErrorBody.Code.paramError, "out_refund_no 必填且不超过64字符")
        }
        guard refund.amount.refund > 0, refund.amount.total > 0, refund.amount.refund <= refund.amount.total,
            refund.amount.currency == "CNY"
        else {
            return try answerError(
                .badRequest,
                WeChatPayErrorBody.Code.paramError,
                "amount: refund \(refund.amount.refund) and total \(refund.amount.total) must be > 0,"
                    + " refund ≤ total, currency CNY"
            )
        }
        let answer = try await desk.submit(
            RefundSubmission(
                provider: .wechat,
                merchant: authorization.merchantID,
                refundNo: refund.outRefundNo,
                tradeNo: tradeNo,
                amountFen: refund.amount.refund,
                totalFen: refund.amount.total,
                notifyURL: refund.notifyURL,
                reason: refund.reason
            )
        )
        switch answer {
        case .refund(let recorded, _):
            return try answerJSON(Self.wire(recorded))
        case .failed(let code):
            return try answerError(Self.status(for: code), code, "sandbox: scripted or random failure \(code)")
        case .merchantRateLimited:
            return try answerError(.tooManyRequests, WeChatPayErrorBody.Code.frequencyLimited, "频率超限 (R-C7: 商户请求频率)")
        case .refused(let refusal):
            let (status, code, message) = Self.words(for: refusal)
            return try answerError(status, code, message)
        }
    }

    private func query(_ request: Request, refundNo: String) async throws -> Response {
        do {
            _ = try verify(request, body: Data())
        } catch {
            return try await signatureError(error)
        }
        guard let refund = try await desk.store.refund(provider: .wechat, refundNo: refundNo) else {
            return try answerError(.notFound, WeChatPayErrorBody.Code.resourceNotExists, "退款单不存在: \(refundNo)")
        }
        return try answerJSON(Self.wire(refund))
    }

    private func billLocation(_ request: Request) async throws -> Response {
        do {
            _ = try verify(request, body: Data())
        } catch {
            return try await signatureError(error)
        }
        let parameters = request.uri.queryParameters
        guard let date = parameters["bill_date"].map(String.init), BillDay(date) != nil else {
            return try answerError(.badRequest, WeChatPayErrorBody.Code.paramError, "bill_date 格式为 YYYY-MM-DD")
        }
        let csv = try await bill(date: date)
        let digest = Insecure.SHA1.hash(data: Data(csv.utf8)).map { String(format: "%02x", $0) }.joined()
        let host = request.head.authority ?? "127.0.0.1"
        return try answerJSON(
            WeChatPayBillLocation(
                hashHex: digest,
                downloadURL: "http://\(host)/v3/billdownload/file?bill_date=\(date)&bill_type=REFUND"
            )
        )
    }

    private func billFile(_ request: Request) async throws -> Response {
        guard let date = request.uri.queryParameters["bill_date"].map(String.init), BillDay(date) != nil else {
            return HTTPExchange.error(.badRequest, code: WeChatPayErrorBody.Code.paramError, message: "bill_date")
        }
        let csv = try await bill(date: date)
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: csv))
        )
    }

    /// The day's refund bill: every refund whose money moved that day (China time).
    private func bill(date: String) async throws -> String {
        guard let day = BillDay(date) else { return "" }
        let rows = try await desk.store.refunds(provider: .wechat).filter { refund in
            guard refund.moneyMoved == 1, let settled = refund.settledAtMs else { return false }
            return day.contains(settled)
        }
        let header = "success_time,out_trade_no,refund_id,out_refund_no,refund_fen,refund_status"
        let lines = rows.map { refund in
            [
                WeChatPayServer.timeString(ProviderHTTP.date(refund.settledAtMs ?? 0)), refund.tradeNo,
                refund.providerRefundID, refund.refundNo, String(refund.amountFen), refund.state.rawValue,
            ].joined(separator: ",")
        }
        return ([header] + lines).joined(separator: "\n") + "\n"
    }

    // MARK: Wire

    /// The refund as WeChat Pay's JSON.
    static func wire(_ refund: ProviderRefund) -> WeChatPayRefund {
        WeChatPayRefund(
            refundID: refund.providerRefundID,
            outRefundNo: refund.refundNo,
            transactionID: nil,
            outTradeNo: refund.tradeNo,
            channel: "ORIGINAL",
            userReceivedAccount: "支付用户零钱",
            successTime: refund.state == .success
                ? refund.settledAtMs.map { WeChatPayServer.timeString(ProviderHTTP.date($0)) } : nil,
            createTime: WeChatPayServer.timeString(ProviderHTTP.date(refund.createdAtMs)),
            status: WeChatPayRefundStatus(rawValue: refund.state.rawValue),
            amount: WeChatPayRefund.Amount(
                total: refund.tradeTotalFen,
                refund: refund.amountFen,
                payerTotal: refund.tradeTotalFen,
                payerRefund: refund.amountFen,
                settlementRefund: refund.amountFen,
                settlementTotal: refund.tradeTotalFen,
                discountRefund: 0,
                currency: "CNY"
            )
        )
    }

    /// The notification of `order` (R-C9): encrypted under the APIv3 key and platform-signed.
    /// Duplicates carry the same id, as WeChat's resends do.
    static func notification(
        server: WeChatPayServer,
        refund: ProviderRefund,
        order: NotificationOrder,
        eventID: String
    ) throws -> (headers: ProviderHeaders, body: Data) {
        let eventType =
            switch order.state {
            case .success: WeChatPayNotification.EventType.refundSuccess
            case .abnormal: WeChatPayNotification.EventType.refundAbnormal
            case .closed: WeChatPayNotification.EventType.refundClosed
            // A stale PROCESSING-era notice (out_of_order): WeChat has no such event; the sandbox sends one.
            case .processing: "REFUND.PROCESSING"
            }
        let notice = WeChatPayRefundNotice(
            merchantID: server.merchantID,
            transactionID: nil,
            outTradeNo: refund.tradeNo,
            refundID: refund.providerRefundID,
            outRefundNo: refund.refundNo,
            refundStatus: WeChatPayRefundStatus(rawValue: order.state.rawValue),
            successTime: order.state == .success
                ? refund.settledAtMs.map { WeChatPayServer.timeString(ProviderHTTP.date($0)) } : nil,
            userReceivedAccount: "支付用户零钱",
            amount: WeChatPayRefundNotice.Amount(
                total: refund.tradeTotalFen,
                refund: refund.amountFen,
                payerTotal: refund.tradeTotalFen,
                payerRefund: refund.amountFen
            )
        )
        let id = order.stale ? eventID : String(eventID.split(separator: ":").dropLast().joined(separator: ":"))
        return try server.notification(eventType: eventType, notice: notice, id: id)
    }

    /// WeChat Pay's HTTP status for an error code.
    static func status(for code: String) -> HTTPResponse.Status {
        switch code {
        case WeChatPayErrorBody.Code.frequencyLimited: .tooManyRequests
        case WeChatPayErrorBody.Code.notEnough, "NO_AUTH", "USER_ACCOUNT_ABNORMAL": .forbidden
        case WeChatPayErrorBody.Code.paramError, WeChatPayErrorBody.Code.invalidRequest: .badRequest
        case WeChatPayErrorBody.Code.resourceNotExists: .notFound
        case WeChatPayErrorBody.Code.signError: .unauthorized
        default: .internalServerError
        }
    }

    static func words(for refusal: RefundRefusal) -> (HTTPResponse.Status, String, String) {
        switch refusal {
        case .tooSoon(let wait):
            (.tooManyRequests, WeChatPayErrorBody.Code.frequencyLimited, "频率超限: 同一订单 \(wait) ms 后再试 (R-C7)")
        case .tooManyRefunds(let limit):
            (.badRequest, WeChatPayErrorBody.Code.invalidRequest, "同一笔订单部分退款不能超过\(limit)次 (R-C7)")
        case .windowClosed(_, let days):
            (.badRequest, WeChatPayErrorBody.Code.invalidRequest, "订单已超过退款期限: 支付后\(days)天 (R-C7)")
        case .exceedsTrade(let requested, let remaining):
            (
                .badRequest, WeChatPayErrorBody.Code.invalidRequest,
                "申请退款金额超过订单可退金额: 申请 \(requested) 分, 可退 \(remaining) 分 (R-C5)"
            )
        case .totalMismatch(let known, let given):
            (.badRequest, WeChatPayErrorBody.Code.paramError, "订单金额不一致: amount.total \(given), 订单 \(known)")
        case .unknownTrade:
            (.notFound, WeChatPayErrorBody.Code.resourceNotExists, "订单不存在")
        case .discordantRepeat(let existing):
            (
                .badRequest, WeChatPayErrorBody.Code.invalidRequest,
                "out_refund_no \(existing.refundNo) 已用于 \(existing.amountFen) 分的退款 (订单 \(existing.tradeNo))"
            )
        }
    }

    // MARK: Signing

    private func verify(_ request: Request, body: Data) throws -> WeChatPayAuthorization {
        try server.verifyRequest(
            method: request.method.rawValue,
            target: ProviderHTTP.target(of: request),
            headers: ProviderHTTP.headers(of: request),
            body: body
        )
    }

    private func signatureError(_ error: any Error) async throws -> Response {
        try await desk.store.count(.signatureErrors)
        return try answerError(.unauthorized, WeChatPayErrorBody.Code.signError, "签名错误: \(error)")
    }

    private func answerJSON(_ value: some Encodable) throws -> Response {
        let (headers, body) = try server.signedResponse(value)
        return ProviderHTTP.response(status: .ok, headers: headers, body: body)
    }

    private func answerError(_ status: HTTPResponse.Status, _ code: String, _ message: String) throws -> Response {
        let body = server.errorBody(code: code, message: message)
        return ProviderHTTP.response(status: status, headers: try server.signedResponseHeaders(body: body), body: body)
    }
}
