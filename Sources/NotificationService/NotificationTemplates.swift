import RefundMeshAPI

/// Renders a refund event as an inbox item's title and body, in Chinese (the default) or
/// English (R-N2). Every state change a user must hear about has a template (R-N1).
public struct NotificationTemplates: Sendable {
    public enum Language: String, Sendable, CaseIterable {
        case zhCN = "zh-CN"
        case en

        /// `en…` selects English; anything else, including empty, is Chinese.
        public init(locale: String) {
            self = locale.lowercased().hasPrefix("en") ? .en : .zhCN
        }
    }

    public init() {}

    /// The title and body for `event` in `language`.
    public func render(_ event: RefundEvent, in language: Language) -> (title: String, body: String) {
        let refund = event.refundID
        let amount = Self.yuan(event.amountFen)
        let fee = Self.yuan(event.feeFen)
        let rule = event.rule.isEmpty ? "" : (language == .zhCN ? "（依据 \(event.rule)）" : " (\(event.rule))")
        let reason = event.reason
        let materials = event.materials.map { Self.name(of: $0, in: language) }
        switch (event.kind, language) {
        case (.received, .zhCN):
            return ("退款申请已受理", "您的退款申请 \(refund) 已受理，我们会尽快审核。")
        case (.received, .en):
            return (
                "Refund request received",
                "Your refund request \(refund) has been received and will be reviewed shortly."
            )
        case (.materialsNeeded, .zhCN):
            return ("需要补充材料", "退款 \(refund) 需要补充：\(materials.joined(separator: "、"))。\(reason)")
        case (.materialsNeeded, .en):
            return ("More materials needed", "Refund \(refund) needs: \(materials.joined(separator: ", ")). \(reason)")
        case (.offerMade, .zhCN):
            return ("部分退款方案", "退款 \(refund) 可按剩余时长退还 \(amount)\(rule)。请选择接受或拒绝。")
        case (.offerMade, .en):
            return (
                "Partial refund offer",
                "Refund \(refund): we can return \(amount) for the unused time\(rule). Please accept or decline."
            )
        case (.approved, .zhCN):
            return ("退款已批准", "退款 \(refund) 已批准，金额 \(amount)\(rule)。")
        case (.approved, .en):
            return ("Refund approved", "Refund \(refund) was approved for \(amount)\(rule).")
        case (.rejected, .zhCN):
            return ("退款未通过", "退款 \(refund) 未通过\(rule)：\(reason)")
        case (.rejected, .en):
            return ("Refund rejected", "Refund \(refund) was rejected\(rule): \(reason)")
        case (.moneySent, .zhCN):
            let feeText = event.feeFen > 0 ? "，扣除手续费 \(fee)" : ""
            return ("退款已发出", "退款 \(refund) 已原路退回 \(amount)\(feeText)，预计到账时间见退款详情。")
        case (.moneySent, .en):
            let feeText = event.feeFen > 0 ? " after a fee of \(fee)" : ""
            return (
                "Refund sent",
                "Refund \(refund): \(amount) is on its way back\(feeText); see the refund for the expected arrival."
            )
        case (.moneyArrived, .zhCN):
            return ("退款已到账", "退款 \(refund) 的 \(amount) 已到账。")
        case (.moneyArrived, .en):
            return ("Refund arrived", "Refund \(refund): \(amount) has arrived.")
        // payment-channel's alerts travel as SLA escalations with their rule (R-C6 stuck past the
        // expected arrival, R-C8 a provider reversed or could not complete the refund); the reason
        // carries what happened.
        case (.slaEscalated, .zhCN) where event.rule == "R-C8":
            return ("退款渠道异常", "退款 \(refund) 在支付渠道出现异常，已转交专人处理：\(reason)")
        case (.slaEscalated, .en) where event.rule == "R-C8":
            return (
                "Refund problem at the payment channel",
                "Refund \(refund) ran into a problem at the payment channel and is with a person now: \(reason)"
            )
        case (.slaEscalated, .zhCN) where event.rule == "R-C6":
            return ("退款到账延迟", "退款 \(refund) 已超过预计到账时间，已转交专人处理。\(reason)")
        case (.slaEscalated, .en) where event.rule == "R-C6":
            return (
                "Refund delayed",
                "Refund \(refund) has not arrived by the expected time and is with a person now. \(reason)"
            )
        case (.slaEscalated, .zhCN):
            return ("退款处理加急", "退款 \(refund) 处理时间较长，已升级处理。\(reason)")
        case (.slaEscalated, .en):
            return (
                "Refund escalated", "Refund \(refund) is taking longer than promised and has been escalated. \(reason)"
            )
        case (.withdrawn, .zhCN):
            return ("退款申请已撤销", "您已撤销退款申请 \(refund)。")
        case (.withdrawn, .en):
            return ("Refund request withdrawn", "You withdrew refund request \(refund).")
        case (.flaggedForReview, .zhCN):
            return ("退款转人工审核", "退款 \(refund) 将由人工审核\(rule)：\(reason)")
        case (.flaggedForReview, .en):
            return ("Refund sent to manual review", "Refund \(refund) will be reviewed by a person\(rule): \(reason)")
        case (.offerDeclined, .zhCN):
            return ("已拒绝部分退款方案", "您已拒绝退款 \(refund) 的部分退款方案，本次不予退款；如有异议可申请复核。")
        case (.offerDeclined, .en):
            return (
                "Offer declined",
                "You declined the offer for refund \(refund); no refund will be made. You may ask for a review."
            )
        case (.unspecified, _), (.unrecognized, _):
            // A kind from a newer sender: its reason carries the news, so show it rather than nothing.
            let detail = reason.isEmpty ? "" : (language == .zhCN ? "：\(reason)" : ": \(reason)")
            return language == .zhCN
                ? (Self.genericTitle(.zhCN), "退款 \(refund) 有新的进度\(rule)\(detail)")
                : (Self.genericTitle(.en), "Refund \(refund) has an update\(rule)\(detail)")
        }
    }

    /// The title of an event whose kind has no template of its own.
    public static func genericTitle(_ language: Language) -> String {
        language == .zhCN ? "退款进度更新" : "Refund update"
    }

    /// Fen as yuan with two decimals, e.g. 10060 → "¥100.60".
    static func yuan(_ fen: Int64) -> String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return "\(sign)¥\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    static func name(of material: MaterialKind, in language: Language) -> String {
        switch (material, language) {
        case (.orderProof, .zhCN): "订单凭证"
        case (.orderProof, .en): "order proof"
        case (.paymentProof, .zhCN): "支付凭证"
        case (.paymentProof, .en): "payment proof"
        case (.nonUseProof, .zhCN): "未使用证明"
        case (.nonUseProof, .en): "proof of non-use"
        case (.reasonStatement, .zhCN): "退款原因说明"
        case (.reasonStatement, .en): "reason statement"
        case (.unspecified, _), (.unrecognized, _): language == .zhCN ? "其他材料" : "other material"
        }
    }
}
