import Logging
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshProviders

/// Alipay refunds as a ``ChannelAdapter``: a thin mapping over ``AlipayClient`` (RSA2-signed
/// gateway calls, verified answers; docs/PROVIDERS.md).
///
/// - The refund number goes out unchanged as `out_request_no` (R-C6); Alipay answers a number it
///   already has without refunding again.
/// - The trade: `out_trade_no` is the order id, `trade_no` the payment id (Alipay's own trade
///   number, which Alipay prefers when both are given). Amounts go out as yuan strings.
/// - R-C8: money moved only when the refund answer says `fund_change=Y` (succeeded at
///   `gmt_refund_pay`); `N` is accepted and queried. The refund query confirms money moved only
///   with `refund_status=REFUND_SUCCESS`; an answer without it for a refund Alipay knows (it
///   echoes the amount or its trade number) is still processing, one for a refund it does not
///   know is "not found" (submitting again under the same number is safe).
/// - ACQ.REQUEST_TOO_FAST (3 s between refunds of a trade) → rate limited (R-C7); other 40004
///   sub_codes → refused with the sub_code; code 20000, ACQ.SYSTEM_ERROR, timeouts throw (R-C6).
public struct AlipayChannelAdapter: ChannelAdapter {
    public let client: AlipayClient
    private let logger: Logger
    private let now: @Sendable () -> Int64

    /// - Parameter client: shares the service's one `HTTPClient`.
    public init(
        client: AlipayClient,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        self.client = client
        self.logger = logger
        self.now = now
    }

    public func submit(_ request: ChannelRefundRequest) async throws -> ChannelSubmission {
        let payment = request.payment
        let body = AlipayRefundRequest(
            outTradeNo: payment.orderID.isEmpty ? nil : payment.orderID,
            tradeNo: payment.paymentID.isEmpty ? nil : payment.paymentID,
            refundAmountFen: request.amountFen,
            outRequestNo: request.refundNo,
            refundReason: request.reason.isEmpty ? nil : String(request.reason.prefix(256))
        )
        do {
            let answer = try await client.refund(body)
            guard answer.movedMoney else { return .accepted(nil) }
            return .accepted(.succeeded(atMs: ProviderTime.milliseconds(answer.gmtRefundPay) ?? now()))
        } catch {
            return try ProviderCallOutcome.submission(after: error)
        }
    }

    public func query(_ request: ChannelRefundRequest) async throws -> ChannelRefundStatus {
        let answer: AlipayRefundQueryResponse
        do {
            answer = try await client.queryRefund(
                outTradeNo: request.payment.orderID,
                outRequestNo: request.refundNo
            )
        } catch {
            return try ProviderCallOutcome.status(after: error)
        }
        if answer.succeeded {
            return .succeeded(atMs: ProviderTime.milliseconds(answer.gmtRefundPay) ?? now())
        }
        let known = answer.refundAmountFen != nil || answer.tradeNo != nil
        if let status = answer.refundStatus, !status.isEmpty {
            logger.notice(
                "Alipay answered a refund status other than REFUND_SUCCESS; treated as processing",
                metadata: ["refund.provider_no": "\(request.refundNo)", "provider.status": "\(status)"]
            )
        }
        return known ? .processing : .notFound
    }

    /// The day's bill (`alipay.data.dataservice.bill.downloadurl.query`, then the download), read
    /// by its header: `out_request_no`, `trade_no`, `refund_amount` (yuan), `refund_status`,
    /// `gmt_refund_pay` (the real Alipay serves a zip archive, which the client reports as not
    /// readable yet). Lines without a refund number (payments) are skipped.
    public func bill(day: CivilDate) async throws -> [ProviderBillRecord] {
        let table = ProviderBillTable(lines: try await client.refundBill(date: ProviderTime.billDate(day)))
        return try table.rows.compactMap { row in
            guard let number = table.value(row, "out_request_no"), !number.isEmpty else {
                return nil
            }
            guard let yuan = table.value(row, "refund_amount") else {
                throw BillLineError(provider: "alipay", refundNo: number, field: "refund_amount")
            }
            let amount = try YuanAmount.fen(fromYuan: yuan, field: "refund_amount")
            let at = ProviderTime.milliseconds(table.value(row, "gmt_refund_pay")) ?? 0
            return ProviderBillRecord(
                refundNo: number,
                providerRefundID: table.value(row, "trade_no") ?? "",
                amountFen: amount,
                status: Self.status(table.value(row, "refund_status") ?? "REFUND_SUCCESS", refundNo: number, atMs: at),
                atMs: at
            )
        }
    }

    /// An Alipay refund status word as ours (R-C8); shared with the notification endpoint.
    /// `REFUND_SUCCESS` moved money; `REFUND_CLOSED` ended without; `REFUND_REVERSED` took the
    /// money back after success; anything else (`PROCESSING`) is not final.
    public static func status(_ word: String, refundNo: String, atMs: Int64) -> ChannelRefundStatus {
        switch word {
        case "REFUND_SUCCESS":
            return .succeeded(atMs: atMs)
        case "REFUND_CLOSED":
            return .closed(reason: "Alipay closed refund \(refundNo) (REFUND_CLOSED)")
        case "REFUND_REVERSED":
            return .reversed(reason: "Alipay reversed refund \(refundNo) after it succeeded (REFUND_REVERSED)")
        default:
            return .processing
        }
    }
}
