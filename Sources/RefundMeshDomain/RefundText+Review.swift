extension RefundText {
    /// R-A7/R-R7: a flagged request is decided by a person; `flag` says why it was flagged.
    public static func flaggedForReview(_ flag: LocalizedText) -> LocalizedText {
        LocalizedText(
            zhCN: "转人工风控审核：" + flag.zhCN,
            en: "sent to risk review by a person: " + flag.en
        )
    }

    /// R-R3: not as described is judged by a person.
    public static let notAsDescribedNeedsPerson = LocalizedText(
        zhCN: "转人工审核（R-R3）：“商品与描述不符”需由审核人员核实。",
        en: "sent to a reviewer (R-R3): \"not as described\" is checked by a person."
    )

    /// R-P4: virtual services are reviewed by people.
    public static let virtualServiceNeedsPerson = LocalizedText(
        zhCN: "转人工审核（R-P4）：虚拟服务类商品由审核人员判断。",
        en: "sent to a reviewer (R-P4): refunds of virtual services are decided by a person."
    )

    /// R-P4: the order's product kind is unknown.
    public static let unknownProductKind = LocalizedText(
        zhCN: "转人工审核（R-P4）：订单的商品类型未知。",
        en: "sent to a reviewer (R-P4): the order's product kind is unknown."
    )

    /// R-R1: the card key was activated.
    public static let cardKeyActivated = LocalizedText(
        zhCN: "不予退款（R-R1）：卡密已被激活或使用，属于退款负面清单（R-A3）。",
        en: "not refundable (R-R1): the card key has been activated or used, which is on the negative list (R-A3)."
    )

    /// R-R1: the card key was not activated.
    public static func cardKeyNotActivated(amountFen: Int64) -> LocalizedText {
        LocalizedText(
            zhCN: "同意退款（R-R1）：系统确认卡密未激活，全额退款 \(money(amountFen))。",
            en: "approved (R-R1): the card key was never activated; full refund of \(money(amountFen))."
        )
    }

    /// R-R2: the provider confirmed the recharge failed.
    public static func rechargeFailed(amountFen: Int64) -> LocalizedText {
        LocalizedText(
            zhCN: "同意退款（R-R2）：服务商确认充值未到账，退款 \(money(amountFen))。",
            en: "approved (R-R2): the provider confirmed the recharge did not arrive; refund of \(money(amountFen))."
        )
    }

    /// R-R2: the provider confirmed the recharge arrived.
    public static let rechargeCredited = LocalizedText(
        zhCN: "不予退款（R-R2）：服务商确认充值已到账。",
        en: "not refundable (R-R2): the provider confirmed the recharge arrived on the account."
    )

    /// R-R2: the provider has not answered.
    public static let rechargeUnknown = LocalizedText(
        zhCN: "转人工审核（R-R2）：尚未得到服务商对充值结果的确认，我们会继续核实。",
        en: "sent to a reviewer (R-R2): the provider has not confirmed the recharge's result yet; we keep asking."
    )

    /// R-R3: no second payment on record.
    public static func noSecondPayment(count: Int) -> LocalizedText {
        LocalizedText(
            zhCN: "转人工审核（R-R3）：我们的记录中该订单只有 \(count) 笔扣款，审核人员将核对您的支付凭证。",
            en: "sent to a reviewer (R-R3): our records show \(count) payment(s) for this order; a reviewer "
                + "will check your payment proof."
        )
    }

    /// R-R3: the payment the user named is not among the captured ones.
    public static func namedPaymentNotFound(_ paymentID: String) -> LocalizedText {
        LocalizedText(
            zhCN: "转人工审核（R-R3）：未在该订单的扣款记录中找到支付单 \(paymentID)。",
            en: "sent to a reviewer (R-R3): payment \(paymentID) is not among this order's captured payments."
        )
    }

    /// R-R3: the duplicate payment is refunded, without fee.
    public static func duplicateChargeApproved(amountFen: Int64, paymentID: String) -> LocalizedText {
        LocalizedText(
            zhCN: "同意退款（R-R3）：确认重复扣款，退还重复的一笔 \(money(amountFen))（支付单 \(paymentID)），不收手续费（R-C2）。",
            en: "approved (R-R3): duplicate charge confirmed; the duplicate payment \(paymentID) of "
                + "\(money(amountFen)) is refunded without fee (R-C2)."
        )
    }

    /// R-R5: no usage record for a time-based product.
    public static let noUsageRecord = LocalizedText(
        zhCN: "转人工审核（R-R5）：暂无该时长类商品的使用记录。",
        en: "sent to a reviewer (R-R5): there is no usage record for this time-based product yet."
    )

    /// R-R5: a time-based product never used.
    public static func timeBasedUnused(amountFen: Int64) -> LocalizedText {
        LocalizedText(
            zhCN: "同意退款（R-R5）：记录显示尚未使用，全额退款 \(money(amountFen))。",
            en: "approved (R-R5): the records show no use; full refund of \(money(amountFen))."
        )
    }

    /// R-R5: the pro-rated offer.
    public static func proRatedOffer(amountFen: Int64, remainingDays: Int, totalDays: Int) -> LocalizedText {
        LocalizedText(
            zhCN: "部分退款方案（R-R5）：按剩余时长 \(remainingDays)/\(totalDays) 天折算，退款 \(money(amountFen))；"
                + "您可接受或拒绝，拒绝后本次申请结束。",
            en: "pro-rated offer (R-R5): \(remainingDays) of \(totalDays) days remain, so \(money(amountFen)); "
                + "you may accept or decline, and declining closes this request."
        )
    }

    /// R-A7: too many withdrawals of one order.
    public static func tooManyOrderWithdrawals(count: Int, limit: Int) -> LocalizedText {
        LocalizedText(
            zhCN: "该订单的退款申请已撤销 \(count) 次，超过 \(limit) 次（R-A7），本次申请将转人工风控审核，不会自动通过。",
            en: "refund requests for this order were withdrawn \(count) times, more than \(limit) (R-A7); "
                + "this request goes to risk review by a person instead of automatic approval."
        )
    }

    /// R-A7: too many withdrawals by one user in 24 hours.
    public static func tooManyUserWithdrawals(count: Int, limit: Int) -> LocalizedText {
        LocalizedText(
            zhCN: "您在 24 小时内已撤销 \(count) 次退款申请，超过 \(limit) 次（R-A7），本次申请将转人工风控审核，不会自动通过。",
            en: "you withdrew \(count) refund requests in 24 hours, more than \(limit) (R-A7); this request "
                + "goes to risk review by a person instead of automatic approval."
        )
    }
}
