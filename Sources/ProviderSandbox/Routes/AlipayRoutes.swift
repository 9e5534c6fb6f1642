import Foundation
import Hummingbird
import RefundMeshProviders

/// Alipay's open gateway (`POST /gateway.do`, form-encoded common parameters with an RSA2
/// `sign`): `alipay.trade.refund`, `alipay.trade.fastpay.refund.query` and
/// `alipay.data.dataservice.bill.downloadurl.query`. Requests are verified with the app's
/// public key; answers are `{"<method>_response":{…},"sign":"…"}` signed with Alipay's key.
/// Signing and shapes come from RefundMeshProviders (`AlipayServer`).
struct AlipayRoutes: Sendable {
    let desk: RefundDesk
    let server: AlipayServer

    func register(on router: Router<BasicRequestContext>) {
        router.post("gateway.do") { request, _ in try await gateway(request) }
        router.get("alipay/bills/:date") { _, context in try await billFile(try context.parameters.require("date")) }
    }

    private func gateway(_ request: Request) async throws -> Response {
        let body = Data(try await HTTPExchange.body(of: request))
        let call: AlipayServer.Request
        do {
            call = try server.verifyRequest(body: body)
        } catch {
            try await desk.store.count(.signatureErrors)
            let method = Self.method(in: body) ?? "error"
            return try answer(
                server.signedError(
                    method: method,
                    code: AlipayResponseStatus.Code.invalidParameter,
                    msg: "Invalid Arguments",
                    subCode: "isv.invalid-signature",
                    subMsg: "验签出错: \(error)"
                )
            )
        }
        switch call.method {
        case AlipayMethod.tradeRefund: return try await refund(call)
        case AlipayMethod.refundQuery: return try await query(call)
        case AlipayMethod.billDownloadURL: return try billLocation(call, host: request.head.authority ?? "127.0.0.1")
        default:
            return try answer(
                server.signedError(
                    method: call.method,
                    code: AlipayResponseStatus.Code.invalidParameter,
                    msg: "Invalid Arguments",
                    subCode: "isv.invalid-method",
                    subMsg: "不存在的方法名: \(call.method)"
                )
            )
        }
    }

    private func refund(_ call: AlipayServer.Request) async throws -> Response {
        let method = call.method
        let biz: AlipayRefundRequest
        do {
            biz = try call.decodeBizContent(AlipayRefundRequest.self)
        } catch {
            return try businessError(method, "ACQ.INVALID_PARAMETER", "参数无效: \(error)")
        }
        guard let tradeNo = biz.outTradeNo ?? biz.tradeNo, !tradeNo.isEmpty, biz.refundAmountFen > 0,
            !biz.outRequestNo.isEmpty
        else {
            return try businessError(
                method,
                "ACQ.INVALID_PARAMETER",
                "out_trade_no, refund_amount > 0 and out_request_no are required"
            )
        }
        let outcome = try await desk.submit(
            RefundSubmission(
                provider: .alipay,
                merchant: server.appID,
                refundNo: biz.outRequestNo,
                tradeNo: tradeNo,
                amountFen: biz.refundAmountFen,
                totalFen: nil,
                notifyURL: call.parameters["notify_url"],
                reason: biz.refundReason
            )
        )
        switch outcome {
        case .refund(let refund, let isNew):
            let refunded = try await desk.store.trade(provider: .alipay, tradeNo: refund.tradeNo)?.refundedFen
            // R-C8: Y only for the call that moved the money; a repeated out_request_no answers N.
            let moved = isNew && refund.moneyMoved == 1
            return try answer(
                server.signedResponse(
                    method: method,
                    node: AlipayRefundResponse(
                        tradeNo: refund.providerRefundID,
                        outTradeNo: refund.tradeNo,
                        buyerLogonID: "159****5620",
                        fundChange: moved ? "Y" : "N",
                        refundFeeFen: refunded ?? refund.amountFen,
                        gmtRefundPay: refund.settledAtMs.map { AlipayServer.timeString(ProviderHTTP.date($0)) },
                        sendBackFeeFen: refund.moneyMoved == 1 ? refund.amountFen : 0
                    )
                )
            )
        case .failed(let code)
        where code == AlipayResponseStatus.Code.serviceUnavailable || code == "SERVICE_UNAVAILABLE":
            return try answer(
                server.signedError(
                    method: method,
                    code: AlipayResponseStatus.Code.serviceUnavailable,
                    msg: "Service Currently Unavailable",
                    subCode: "isp.unknow-error",
                    subMsg: "系统繁忙"
                )
            )
        case .failed(let code):
            return try businessError(method, code, "sandbox: scripted or random failure \(code)")
        case .merchantRateLimited:
            return try businessError(method, AlipayResponseStatus.SubCode.requestTooFast, "请求过于频繁 (R-C7)")
        case .refused(let refusal):
            let (subCode, message) = Self.words(for: refusal)
            return try businessError(method, subCode, message)
        }
    }

    private func query(_ call: AlipayServer.Request) async throws -> Response {
        let biz: AlipayRefundQueryRequest
        do {
            biz = try call.decodeBizContent(AlipayRefundQueryRequest.self)
        } catch {
            return try businessError(call.method, "ACQ.INVALID_PARAMETER", "参数无效: \(error)")
        }
        let refund = try await desk.store.refund(provider: .alipay, refundNo: biz.outRequestNo)
        let tradeNo = biz.outTradeNo ?? biz.tradeNo ?? refund?.tradeNo ?? ""
        guard try await desk.store.trade(provider: .alipay, tradeNo: tradeNo) != nil else {
            return try businessError(call.method, AlipayResponseStatus.SubCode.tradeNotExist, "交易不存在: \(tradeNo)")
        }
        guard let refund, refund.tradeNo == tradeNo else {
            // Alipay answers a refund it does not have on a known trade with success and no refund_status.
            return try answer(
                server.signedResponse(
                    method: call.method,
                    node: AlipayRefundQueryResponse(outTradeNo: biz.outTradeNo, outRequestNo: biz.outRequestNo)
                )
            )
        }
        return try answer(
            server.signedResponse(
                method: call.method,
                node: AlipayRefundQueryResponse(
                    tradeNo: refund.providerRefundID,
                    outTradeNo: refund.tradeNo,
                    outRequestNo: refund.refundNo,
                    totalAmountFen: refund.tradeTotalFen,
                    refundAmountFen: refund.amountFen,
                    refundStatus: refund.state == .success ? AlipayRefundQueryResponse.refundSuccess : nil,
                    gmtRefundPay: refund.state == .success
                        ? refund.settledAtMs.map { AlipayServer.timeString(ProviderHTTP.date($0)) } : nil
                )
            )
        )
    }

    private func billLocation(_ call: AlipayServer.Request, host: String) throws -> Response {
        let biz = try? call.decodeBizContent(AlipayBillURLRequest.self)
        guard let biz, BillDay(biz.billDate) != nil else {
            return try businessError(call.method, "ACQ.INVALID_PARAMETER", "bill_date 格式为 YYYY-MM-DD")
        }
        return try answer(
            server.signedResponse(
                method: call.method,
                node: AlipayBillURLResponse(billDownloadURL: "http://\(host)/alipay/bills/\(biz.billDate)")
            )
        )
    }

    private func billFile(_ date: String) async throws -> Response {
        guard let day = BillDay(date) else {
            return HTTPExchange.error(.badRequest, code: "INVALID_DATE", message: "\(date) is not YYYY-MM-DD")
        }
        let rows = try await desk.store.refunds(provider: .alipay).filter { refund in
            refund.moneyMoved == 1 && refund.settledAtMs.map(day.contains) == true
        }
        let header = "gmt_refund_pay,out_trade_no,trade_no,out_request_no,refund_amount,refund_status"
        let lines = rows.map { refund in
            [
                AlipayServer.timeString(ProviderHTTP.date(refund.settledAtMs ?? 0)), refund.tradeNo,
                refund.providerRefundID, refund.refundNo, YuanAmount.yuanString(fen: refund.amountFen),
                refund.state == .success ? "REFUND_SUCCESS" : "REFUND_REVERSED",
            ].joined(separator: ",")
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: ([header] + lines).joined(separator: "\n") + "\n"))
        )
    }

    /// The notification of `order`: a signed `trade_status_sync` form POST (R-C9). The sandbox
    /// adds `refund_status` (`REFUND_SUCCESS`, `REFUND_CLOSED`, `REFUND_REVERSED`, or `PROCESSING`
    /// for a stale notice) so a receiver can tell the events apart.
    static func notification(server: AlipayServer, refund: ProviderRefund, order: NotificationOrder) throws -> Data {
        let status =
            switch order.state {
            case .success: "REFUND_SUCCESS"
            case .closed: "REFUND_CLOSED"
            case .abnormal: refund.reversed ? "REFUND_REVERSED" : "REFUND_CLOSED"
            case .processing: "PROCESSING"
            }
        var parameters = [
            "out_trade_no": refund.tradeNo,
            "trade_no": refund.providerRefundID,
            "out_biz_no": refund.refundNo,
            "trade_status": "TRADE_SUCCESS",
            "refund_fee": YuanAmount.yuanString(fen: refund.amountFen),
            "refund_status": status,
        ]
        if let settled = refund.settledAtMs {
            parameters["gmt_refund"] = AlipayServer.timeString(ProviderHTTP.date(settled))
        }
        return try server.notification(parameters: parameters)
    }

    static func words(for refusal: RefundRefusal) -> (String, String) {
        switch refusal {
        case .tooSoon(let wait):
            (AlipayResponseStatus.SubCode.requestTooFast, "同一笔交易的退款至少间隔3秒, 请 \(wait) ms 后重试 (R-C7)")
        case .exceedsTrade(let requested, let remaining):
            (
                AlipayResponseStatus.SubCode.refundAmountNotEqualTotal,
                "退款金额超限: 申请 \(requested) 分, 可退 \(remaining) 分 (R-C5)"
            )
        case .discordantRepeat(let existing):
            ("ACQ.DISCORDANT_REPEAT_REQUEST", "out_request_no \(existing.refundNo) 已用于 \(existing.amountFen) 分的退款")
        case .unknownTrade: (AlipayResponseStatus.SubCode.tradeNotExist, "交易不存在")
        case .tooManyRefunds, .windowClosed, .totalMismatch:
            (AlipayResponseStatus.SubCode.tradeNotAllowRefund, "交易不允许退款")
        }
    }

    private func businessError(_ method: String, _ subCode: String, _ message: String) throws -> Response {
        try answer(
            server.signedError(
                method: method,
                code: AlipayResponseStatus.Code.businessFailed,
                msg: "Business Failed",
                subCode: subCode,
                subMsg: message
            )
        )
    }

    private func answer(_ body: Data) -> Response {
        ProviderHTTP.response(status: .ok, headers: [("Content-Type", "application/json;charset=utf-8")], body: body)
    }

    /// The `method` parameter of an unverified form body, to name the answer's node.
    private static func method(in body: Data) -> String? {
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") where pair.hasPrefix("method=") {
            return String(pair.dropFirst("method=".count)).removingPercentEncoding
        }
        return nil
    }
}
