import RefundMeshDomain

/// The sentences review adds to the rules' own (RefundMeshDomain's `RefundText`), in both
/// languages (R-N2).
enum ReviewText {
    /// R-R3: payment-channel did not answer, so a duplicate charge cannot be checked yet.
    static func paymentsUnavailable(_ detail: String) -> LocalizedText {
        LocalizedText(
            zhCN: "转人工审核（R-R3）：暂时无法查询支付记录，系统会自动重试。",
            en: "sent to a reviewer (R-R3): the payment records could not be read (\(detail)); we keep trying."
        )
    }

    /// R-R5: the user accepted the pro-rated offer.
    static func offerAccepted(amountFen: Int64) -> LocalizedText {
        LocalizedText(
            zhCN: "同意退款（R-R5）：用户接受按剩余时长折算的退款 \(RefundText.money(amountFen))。",
            en: "approved (R-R5): the user accepted the pro-rated refund of \(RefundText.money(amountFen))."
        )
    }

    /// R-R5: the user declined the offer; the case closes without a refund.
    static let offerDeclined = LocalizedText(
        zhCN: "用户拒绝部分退款方案（R-R5），本次不予退款；如有异议可申请复核。",
        en: "the user declined the pro-rated offer (R-R5); no refund is made. The user may escalate."
    )
}
