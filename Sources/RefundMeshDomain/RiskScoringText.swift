import RefundMeshAPI

/// The detail sentences of risk signals (R-R7, R-A7), for the reviewer who reads why a case is
/// in the queue. Each names the concrete values it compared and cites its rule.
extension RefundText {
    /// `duplicate_payments`: two captures, and the ground is not a duplicate charge (R-R3).
    static func riskPaymentsWithoutDuplicateClaim(_ payments: [CapturedPayment]) -> LocalizedText {
        let listed = paymentList(payments)
        return LocalizedText(
            zhCN: "该订单有 \(payments.count) 笔已扣款（\(listed.zhCN)），但申请理由不是重复扣款（R-R3），"
                + "需由人工确定退哪一笔（R-R7）。",
            en: "the order has \(payments.count) captured payments (\(listed.en)) but the request's ground is not a "
                + "duplicate charge (R-R3); a person chooses which payment to refund (R-R7)."
        )
    }

    /// `duplicate_payments`: more captures than one duplicate charge explains.
    static func riskMorePaymentsThanDuplicate(_ payments: [CapturedPayment]) -> LocalizedText {
        let listed = paymentList(payments)
        return LocalizedText(
            zhCN: "该订单有 \(payments.count) 笔已扣款（\(listed.zhCN)），一次重复扣款只能解释 2 笔（R-R7）。",
            en: "the order has \(payments.count) captured payments (\(listed.en)); one duplicate charge explains "
                + "only 2 (R-R7)."
        )
    }

    /// `amount_above_norm`.
    static func riskAmountAboveNorm(amountFen: Int64, medianFen: Int64, orders: Int, multiple: Int) -> LocalizedText {
        let ratio = hundredths(amountFen, medianFen)
        return LocalizedText(
            zhCN: "退款金额 \(money(amountFen)) 是该用户近 90 天 \(orders) 笔订单中位数 \(money(medianFen)) 的 \(ratio) 倍，"
                + "超过 \(multiple) 倍（R-R7）。",
            en: "refund of \(money(amountFen)) is \(ratio)× the user's 90-day median order of \(money(medianFen)) "
                + "(\(orders) orders), more than \(multiple)× (R-R7)."
        )
    }

    /// `large_first_purchase`.
    static func riskLargeFirstPurchase(amountFen: Int64, limitFen: Int64) -> LocalizedText {
        LocalizedText(
            zhCN: "该用户此前 90 天内没有订单，退款金额 \(money(amountFen)) 不低于 \(money(limitFen))（R-R7）。",
            en: "the user has no orders in the 90 days before; refund of \(money(amountFen)) is at least "
                + "\(money(limitFen)) (R-R7)."
        )
    }

    /// `device_mismatch`.
    static func riskDeviceMismatch(requester: String, buyer: String) -> LocalizedText {
        LocalizedText(
            zhCN: "申请设备 \(requester) 与下单设备 \(buyer) 不同（R-R7）。",
            en: "requester device \(requester) differs from the buyer's device \(buyer) (R-R7)."
        )
    }

    /// `ip_mismatch`.
    static func riskIPMismatch(requester: String, buyer: String) -> LocalizedText {
        LocalizedText(
            zhCN: "申请 IP \(requester) 与下单 IP \(buyer) 不同（R-R7）。",
            en: "requester IP \(requester) differs from the buyer's IP \(buyer) (R-R7)."
        )
    }

    /// `refund_frequency`.
    static func riskRefundFrequency(count: Int, windowDays: Int, minimum: Int) -> LocalizedText {
        LocalizedText(
            zhCN: "该用户近 \(windowDays) 天内另有 \(count) 笔退款申请，达到 \(minimum) 笔即需关注（R-R7）。",
            en: "the user made \(count) other refund requests in the last \(windowDays) days; \(minimum) or more "
                + "are unusual (R-R7)."
        )
    }

    /// `withdraw_flag`: intake's R-A7 flag, with intake's reason when it gave one.
    static func riskWithdrawFlag(reason: String) -> LocalizedText {
        LocalizedText(
            zhCN: "受理环节因频繁撤销重提标记了此申请（R-A7）" + (reason.isEmpty ? "。" : "：" + reason),
            en: "intake flagged the request for repeated withdraw-and-resubmit (R-A7)"
                + (reason.isEmpty ? "." : ": " + reason)
        )
    }

    /// "p-1 ¥50.00, p-2 ¥50.00", at most 5 listed.
    private static func paymentList(_ payments: [CapturedPayment]) -> LocalizedText {
        let shown = payments.prefix(5).map { ($0.paymentID.isEmpty ? "?" : $0.paymentID) + " " + money($0.amountFen) }
        let more = payments.count - shown.count
        return LocalizedText(
            zhCN: shown.joined(separator: "、") + (more > 0 ? " 等" : ""),
            en: shown.joined(separator: ", ") + (more > 0 ? ", and \(more) more" : "")
        )
    }

    /// `value / divisor` with two decimals, rounded down: 600, 50 → "12.00". `divisor` > 0.
    private static func hundredths(_ value: Int64, _ divisor: Int64) -> String {
        let scaled = value.saturatingMultiplied(by: 100) / divisor
        let cents = scaled % 100
        return "\(scaled / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
    }
}
