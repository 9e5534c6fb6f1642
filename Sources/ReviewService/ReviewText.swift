import RefundMeshAPI
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

extension ReviewText {
    /// R-R7: the risk score sent the case to a person; the signals are the reasons.
    static func riskScore(_ risk: RiskAssessment) -> LocalizedText {
        let names = risk.signals.map(\.name).joined(separator: ", ")
        return LocalizedText(
            zhCN: "风险评分 \(risk.score)（阈值 \(risk.threshold)），转人工审核（R-R7）：\(names)。",
            en: "risk score \(risk.score) (threshold \(risk.threshold)) sends the case to a reviewer (R-R7): \(names)."
        )
    }

    /// R-R6: a reviewer asks for materials.
    static func materialsRequested(_ kinds: [MaterialKind], note: String) -> LocalizedText {
        let list = RefundText.materials(kinds)
        return LocalizedText(
            zhCN: "审核需要补充材料（R-R6）：\(list.zhCN)。说明：\(note)",
            en: "the reviewer needs more materials (R-R6): \(list.en). Note: \(note)"
        )
    }

    /// R-R6: everything asked for arrived; the case is back in the queue.
    static let materialsReceived = LocalizedText(
        zhCN: "已收到补充材料（R-R6），案件回到审核队列。",
        en: "the requested materials arrived (R-R6); the case is back in the review queue."
    )

    /// R-R10: a reviewer approved.
    static func reviewerApproved(amountFen: Int64, partial: Bool, note: String) -> LocalizedText {
        let money = RefundText.money(amountFen)
        return LocalizedText(
            zhCN: "人工审核\(partial ? "部分" : "")同意退款 \(money)。说明：\(note)",
            en: "a reviewer approved \(partial ? "a partial refund of" : "the refund of") \(money). Note: \(note)"
        )
    }

    /// R-A3/R-R10: a reviewer rejected under a negative-list entry.
    static func reviewerRejected(_ item: NegativeListItem, note: String) -> LocalizedText {
        let entry = negativeListEntry(item)
        return LocalizedText(
            zhCN: "人工审核不予退款：属于退款负面清单（R-A3）“\(entry.zhCN)”。说明：\(note)",
            en: "a reviewer rejected the refund: it is on the negative list (R-A3), \"\(entry.en)\". Note: \(note)"
        )
    }

    /// R-R5: a reviewer offers the pro-rated amount.
    static func reviewerOffer(amountFen: Int64, daysUsed: Int, totalDays: Int, note: String) -> LocalizedText {
        let money = RefundText.money(amountFen)
        return LocalizedText(
            zhCN: "按剩余时长折算（R-R5）：已使用 \(daysUsed)/\(totalDays) 天，可退 \(money)，请确认是否接受。说明：\(note)",
            en: "pro-rated offer (R-R5): \(daysUsed) of \(totalDays) days used, \(money) can be refunded;"
                + " please accept or decline. Note: \(note)"
        )
    }

    /// R-R4: the case is overdue and was escalated to a supervisor.
    static let slaBreached = LocalizedText(
        zhCN: "审核已超过承诺时限（R-R4），已升级至主管优先处理。",
        en: "the review is past its promised time (R-R4); it has been escalated to a supervisor."
    )

    /// R-R4: the case falls due soon (to the supervisors).
    static func slaDueSoon(refundID: String) -> LocalizedText {
        LocalizedText(
            zhCN: "退款 \(refundID) 即将超过审核时限（R-R4）。",
            en: "refund \(refundID) is close to its review deadline (R-R4)."
        )
    }

    /// The negative-list entry (R-A3) a rejection names.
    static func negativeListEntry(_ item: NegativeListItem) -> LocalizedText {
        switch item {
        case .userMistake: LocalizedText(zhCN: "用户自身操作失误（如充错账号）", en: "the user's own mistake (e.g. a wrong account)")
        case .cancelAfterUse: LocalizedText(zhCN: "部分使用后取消", en: "cancelling after partial use")
        case .cardKeyActivated: LocalizedText(zhCN: "卡密已激活", en: "the card key has been activated")
        case .validityExpired: LocalizedText(zhCN: "已过有效期", en: "the validity has expired")
        case .outsideWindow: LocalizedText(zhCN: "超出申请期限", en: "the request came outside the window")
        case .unspecified, .unrecognized: LocalizedText(zhCN: "未指明", en: "unspecified")
        }
    }
}
