import RefundMeshAPI

extension RefundText {
    /// R-A2: a ground the rules do not know.
    public static let unknownGround = LocalizedText(
        zhCN: "无法受理（R-A2）：可退款的原因为未激活未使用、重复扣款、商品与描述不符、发货失败，以及时长类商品的部分使用。",
        en: "cannot be accepted (R-A2): refunds are for goods not activated and not used, a duplicate charge, "
            + "goods not as described, a failed delivery, or a partly used time-based product."
    )

    /// R-C5: the order records no payment.
    public static let nothingPaid = LocalizedText(
        zhCN: "无法退款（R-C5）：该订单没有实付金额。",
        en: "nothing to refund (R-C5): this order records no amount paid."
    )

    /// R-A3: partial use is refundable only for time-based products.
    public static func partlyUsedNotTimeBased(_ kind: ProductKind) -> LocalizedText {
        let name = productKind(kind)
        return LocalizedText(
            zhCN: "不予退款（R-A3）：\(name.zhCN)部分使用后不能退款，按剩余时长折算仅适用于时长类商品（R-R5）。",
            en: "not refundable (R-A3): \(name.en) cannot be refunded after partial use; pro-rated refunds "
                + "apply to time-based products only (R-R5)."
        )
    }

    /// R-A4: the window closed, e.g. "refund window closed on 2026-11-20 (R-A4): requests for card
    /// keys must come within 15 days of payment".
    public static func windowClosed(deadline: String, kind: ProductKind, days: Int) -> LocalizedText {
        let name = productKind(kind)
        return LocalizedText(
            zhCN: "退款申请期限已于 \(deadline) 截止（R-A4）：\(name.zhCN)须在付款后 \(days) 天内申请退款。",
            en: "refund window closed on \(deadline) (R-A4): requests for \(name.en) must come within "
                + "\(days) days of payment."
        )
    }

    /// R-A3: the goods' validity ended before the request.
    public static func validityExpired(validUntil: String) -> LocalizedText {
        LocalizedText(
            zhCN: "不予退款（R-A3）：商品有效期已于 \(validUntil) 结束，过期未使用的商品不能退款。",
            en: "not refundable (R-A3): the goods' validity ended on \(validUntil); expired unused goods "
                + "cannot be refunded."
        )
    }

    /// R-A5: materials missing.
    public static func missingMaterials(_ kinds: [MaterialKind]) -> LocalizedText {
        let list = materials(kinds)
        return LocalizedText(
            zhCN: "材料不全（R-A5）：请补充\(list.zhCN)，可一次性上传。",
            en: "materials missing (R-A5): please add \(list.en); all can be uploaded at once."
        )
    }

    /// R-A5: the reason statement is vague.
    public static let vagueReason = LocalizedText(
        zhCN: "申请说明过于笼统（R-A5）：请具体说明原因，例如“游戏账号 12345 的充值未到账，运营商已出具失败证明”，而不是“商品没用”。",
        en: "the reason statement is too vague (R-A5): say specifically what went wrong, e.g. \"the recharge "
            + "to game account 12345 never arrived; the operator certified the failure\", not \"didn't use it\"."
    )

    /// R-A2: eligible for the full amount.
    public static func eligibleInFull(amountFen: Int64, deadline: String) -> LocalizedText {
        LocalizedText(
            zhCN: "符合退款条件（R-A2）：预计全额退款 \(money(amountFen))，请于 \(deadline) 前提交。",
            en: "eligible (R-A2): a full refund of \(money(amountFen)) is expected; submit by \(deadline)."
        )
    }

    /// R-R5: eligible for a pro-rated amount; `estimated` when the days used are not yet recorded
    /// and were counted from the payment time.
    public static func eligibleProRated(
        amountFen: Int64,
        remainingDays: Int,
        totalDays: Int,
        estimated: Bool,
        deadline: String
    ) -> LocalizedText {
        LocalizedText(
            zhCN: "可按剩余时长折算退款（R-R5）：剩余 \(remainingDays)/\(totalDays) 天，预计 \(money(amountFen))"
                + (estimated ? "（按付款后经过的天数估算，以使用记录为准）" : "")
                + "；您可接受或拒绝该方案。请于 \(deadline) 前提交。",
            en: "a pro-rated refund may be offered (R-R5): \(remainingDays) of \(totalDays) days remain, about "
                + "\(money(amountFen))"
                + (estimated ? " (estimated from the days since payment; the usage record decides)" : "")
                + "; you may accept or decline the offer. Submit by \(deadline)."
        )
    }

    /// R-R5: all days of a time-based product are used.
    public static func nothingRemains(totalDays: Int) -> LocalizedText {
        LocalizedText(
            zhCN: "不予退款（R-R5）：\(totalDays) 天已全部使用，没有剩余时长可以折算。",
            en: "not refundable (R-R5): all \(totalDays) days have been used; no time remains to refund."
        )
    }

    /// R-R5: the order's data do not allow pro-rating.
    public static func cannotProRate(_ error: ProRatingError) -> LocalizedText {
        LocalizedText(
            zhCN: "无法自动折算（R-R5）：订单的时长数据有误，将由客服人工处理。",
            en: "cannot pro-rate automatically (R-R5): \(error.message); customer service will handle it."
        )
    }

    /// R-A5: an attachment is over the size limit.
    public static func attachmentTooLarge(fileName: String, sizeBytes: Int64, limitBytes: Int64) -> LocalizedText {
        LocalizedText(
            zhCN: "附件过大（R-A5）：“\(fileName)”为 \(sizeBytes) 字节，单个附件上限为 \(limitBytes) 字节。",
            en:
                "attachment too large (R-A5): \"\(fileName)\" has \(sizeBytes) bytes; the limit is \(limitBytes) bytes each."
        )
    }

    /// R-A5: too many attachments in one request.
    public static func tooManyAttachments(count: Int, limit: Int) -> LocalizedText {
        LocalizedText(
            zhCN: "附件过多（R-A5）：共 \(count) 个，每次申请最多 \(limit) 个。",
            en: "too many attachments (R-A5): \(count) given; at most \(limit) per request."
        )
    }
}
