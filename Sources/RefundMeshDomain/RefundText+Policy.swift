extension RefundText {
    /// R-A3: the published negative list (退款负面清单).
    public static let negativeList: [LocalizedText] = [
        LocalizedText(
            zhCN: "用户自身操作失误（如输错充值账号）",
            en: "the user's own mistakes (such as entering the wrong account)"
        ),
        LocalizedText(
            zhCN: "商品部分使用后取消（时长类商品可按剩余时长折算，见 R-R5）",
            en: "cancelling after partial use (time-based products may get a pro-rated refund, see R-R5)"
        ),
        LocalizedText(zhCN: "卡密已激活或已使用", en: "a card key already activated or used"),
        LocalizedText(zhCN: "商品有效期已过（过期未使用不退）", en: "validity expired (expired unused goods are not refunded)"),
        LocalizedText(zhCN: "超过退款申请期限（R-A4）", en: "requests outside the refund window (R-A4)"),
    ]

    /// R-C3: an arrival rule for a person.
    public static func arrival(_ rule: ArrivalRule) -> LocalizedText {
        switch rule {
        case .withinMinutes(let minutes):
            LocalizedText(zhCN: "\(minutes) 分钟内到账（通常即时）", en: "within \(minutes) minutes (usually immediate)")
        case .providerConfirmation(let days):
            LocalizedText(
                zhCN: "以支付渠道确认为准，预计 \(days) 个工作日内到账",
                en: "on the payment provider's confirmation, expected within \(days) working day\(days == 1 ? "" : "s")"
            )
        case .workingDays(let low, let high):
            LocalizedText(
                zhCN: low == high ? "\(high) 个工作日内到账" : "\(low)-\(high) 个工作日到账",
                en: low == high ? "within \(high) working days" : "\(low)-\(high) working days"
            )
        }
    }

    /// R-C4: whether refunded balance can be withdrawn.
    public static func balanceWithdrawable(_ withdrawable: Bool) -> LocalizedText {
        withdrawable
            ? LocalizedText(zhCN: "退至余额的款项可以提现（R-C4）。", en: "money refunded to the balance can be withdrawn (R-C4).")
            : LocalizedText(
                zhCN: "退至余额的款项不能提现，只能在平台内消费（R-C4）。",
                en: "money refunded to the balance cannot be withdrawn; it can only be spent on the platform (R-C4)."
            )
    }
}
