import Logging
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshProviders

/// WeChat Pay API v3 refunds as a ``ChannelAdapter``: a thin mapping over ``WeChatPayClient``,
/// which signs, verifies and classifies every call (docs/PROVIDERS.md).
///
/// - The refund number goes out unchanged as `out_refund_no` on every call (R-C6); WeChat answers
///   a number it already has with that refund instead of paying again.
/// - The trade is named by `transaction_id` (the payment id, WeChat's own transaction number) so
///   two captured payments of one order are two trades; `out_trade_no` (the order id) only when
///   the payment has no id. `amount.total` is the payment's total, `amount.refund` the net refund.
/// - Statuses (R-C8): PROCESSING → processing, SUCCESS → succeeded at `success_time`, CLOSED →
///   closed, ABNORMAL → abnormal (not final, a person acts) — except an ABNORMAL refund that carries
///   a `success_time`: the money had arrived and came back, a reversal.
/// - 429 FREQUENCY_LIMITED → rate limited (R-C7); 4xx business errors (NOT_ENOUGH, INVALID_REQUEST …)
///   → refused with WeChat's code; timeouts, 5xx, SYSTEM_ERROR, unverifiable answers throw (R-C6).
public struct WeChatPayChannelAdapter: ChannelAdapter {
    public let client: WeChatPayClient
    private let logger: Logger
    private let now: @Sendable () -> Int64

    /// - Parameter client: shares the service's one `HTTPClient`.
    public init(
        client: WeChatPayClient,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        self.client = client
        self.logger = logger
        self.now = now
    }

    public func submit(_ request: ChannelRefundRequest) async throws -> ChannelSubmission {
        let payment = request.payment
        let body = WeChatPayRefundRequest(
            transactionID: payment.paymentID.isEmpty ? nil : payment.paymentID,
            outTradeNo: payment.paymentID.isEmpty ? payment.orderID : nil,
            outRefundNo: request.refundNo,
            reason: request.reason.isEmpty ? nil : String(request.reason.prefix(80)),
            amount: WeChatPayRefundRequest.Amount(refund: request.amountFen, total: payment.amountFen)
        )
        do {
            let refund = try await client.createRefund(body)
            return .accepted(status(of: refund))
        } catch {
            return try ProviderCallOutcome.submission(after: error)
        }
    }

    public func query(_ request: ChannelRefundRequest) async throws -> ChannelRefundStatus {
        do {
            return status(of: try await client.queryRefund(outRefundNo: request.refundNo))
        } catch {
            return try ProviderCallOutcome.status(after: error)
        }
    }

    /// The REFUND trade bill of `day`: one record per line, by the bill's header (the sandbox's
    /// `out_refund_no,refund_id,refund_fen,refund_status,success_time` or WeChat's `商户退款单号`,
    /// `微信退款单号`, `退款金额` in yuan, `退款状态`, `交易时间`).
    public func bill(day: CivilDate) async throws -> [ProviderBillRecord] {
        try Self.billRecords(lines: try await client.refundBill(date: ProviderTime.billDate(day)))
    }

    /// The records of a REFUND bill's text lines (header first; see ``bill(day:)``).
    /// - Throws: ``BillLineError`` for a line without an amount; `AmountError` for a malformed one.
    static func billRecords(lines: [String]) throws -> [ProviderBillRecord] {
        let table = ProviderBillTable(lines: lines)
        return try table.rows.compactMap { row in
            guard let number = table.value(row, "out_refund_no", "商户退款单号"), !number.isEmpty else { return nil }
            let amount: Int64
            if let fen = table.value(row, "refund_fen").flatMap({ Int64($0) }) {
                amount = fen
            } else if let yuan = table.value(row, "refund_amount", "退款金额", "申请退款金额") {
                amount = try YuanAmount.fen(fromYuan: yuan, field: "退款金额")
            } else {
                throw BillLineError(provider: "wechatpay", refundNo: number, field: "refund_fen / 退款金额")
            }
            let at = ProviderTime.milliseconds(table.value(row, "success_time", "退款成功时间", "交易时间")) ?? 0
            let state = WeChatPayRefundStatus(rawValue: table.value(row, "refund_status", "退款状态") ?? "SUCCESS")
            return ProviderBillRecord(
                refundNo: number,
                providerRefundID: table.value(row, "refund_id", "微信退款单号") ?? "",
                amountFen: amount,
                status: Self.status(state, successTime: at == 0 ? nil : at, refundNo: number, fallbackAtMs: at),
                atMs: at
            )
        }
    }

    /// The channel status of a refund as WeChat answered it (R-C8).
    public func status(of refund: WeChatPayRefund) -> ChannelRefundStatus {
        let status = Self.status(
            refund.status,
            successTime: ProviderTime.milliseconds(refund.successTime),
            refundNo: refund.outRefundNo,
            fallbackAtMs: now()
        )
        if case .processing = status, refund.status != .processing {
            logger.notice(
                "WeChat Pay answered an unknown refund status; treated as PROCESSING and queried again",
                metadata: ["refund.provider_no": "\(refund.outRefundNo)", "provider.status": "\(refund.status)"]
            )
        }
        return status
    }

    /// WeChat's refund status as ours (R-C8); shared with the notification endpoint.
    /// - Parameters:
    ///   - successTime: `success_time` in Unix milliseconds, when WeChat gave one.
    ///   - fallbackAtMs: the time of a success that came without `success_time`.
    public static func status(
        _ status: WeChatPayRefundStatus,
        successTime: Int64?,
        refundNo: String,
        fallbackAtMs: Int64
    ) -> ChannelRefundStatus {
        switch status {
        case .success:
            return .succeeded(atMs: successTime ?? fallbackAtMs)
        case .closed:
            return .closed(reason: "WeChat Pay closed refund \(refundNo) (CLOSED)")
        case .abnormal where successTime != nil:
            return .reversed(reason: "WeChat Pay returned refund \(refundNo) after it succeeded (ABNORMAL)")
        case .abnormal:
            return .abnormal(
                reason: "WeChat Pay could not deliver refund \(refundNo) (ABNORMAL): the user's account cannot"
                    + " receive it; retry or refund to another destination (R-C8)"
            )
        default:
            // PROCESSING, and any status WeChat may add: not final, query again.
            return .processing
        }
    }
}
