import RefundMeshAPI

/// Every user-facing sentence of the refund rules, in Chinese and English (R-N2).
///
/// Sentences cite their rule in parentheses, as "退款申请期限已于 2026-11-20 截止（R-A4）…" and
/// "refund window closed on 2026-11-20 (R-A4): …", so a person sees why without looking anything
/// up, and support staff can find the rule in DOMAIN.md. Amounts are yuan with two decimals
/// (``money(_:)``), dates `yyyy-MM-dd` in the shop's time zone (``WorkingCalendar``).
public enum RefundText {
    /// `fen` as yuan for a person: 10000 → "¥100.00", -5 → "-¥0.05".
    public static func money(_ fen: Int64) -> String {
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return (fen < 0 ? "-" : "") + "¥\(magnitude / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
    }

    /// A product kind in the plural, as in "requests for card keys …".
    public static func productKind(_ kind: ProductKind) -> LocalizedText {
        switch kind {
        case .cardKey: LocalizedText(zhCN: "卡密", en: "card keys")
        case .directRecharge: LocalizedText(zhCN: "账户直充", en: "direct recharges")
        case .timeBased: LocalizedText(zhCN: "时长类商品（如月卡）", en: "time-based products (such as monthly cards)")
        case .virtualService: LocalizedText(zhCN: "虚拟服务", en: "virtual services")
        case .unspecified, .unrecognized: LocalizedText(zhCN: "此类商品", en: "products of this kind")
        }
    }

    /// A material of R-A5 ("三证一码").
    public static func material(_ kind: MaterialKind) -> LocalizedText {
        switch kind {
        case .orderProof:
            LocalizedText(zhCN: "订单截图（含订单号、商品、下单时间）", en: "order proof (order id, product, time)")
        case .paymentProof:
            LocalizedText(zhCN: "支付凭证（显示支付完成）", en: "payment proof (showing the payment completed)")
        case .nonUseProof:
            LocalizedText(
                zhCN: "未使用证明（如未到账截图、卡密未刮开视频、运营商充值失败证明）",
                en: "proof of non-use (e.g. a recharge-not-credited screenshot, an unopened-card video, "
                    + "the operator's failure certificate)"
            )
        case .reasonStatement:
            LocalizedText(zhCN: "退款申请说明", en: "a reason statement")
        case .unspecified, .unrecognized:
            LocalizedText(zhCN: "其他材料", en: "other material")
        }
    }

    /// A payment method, as the refund's destination.
    public static func paymentMethod(_ method: PaymentMethod) -> LocalizedText {
        switch method {
        case .wechatPay: LocalizedText(zhCN: "微信支付", en: "WeChat Pay")
        case .alipay: LocalizedText(zhCN: "支付宝", en: "Alipay")
        case .bankCard: LocalizedText(zhCN: "银行卡", en: "bank card")
        case .balance: LocalizedText(zhCN: "平台余额", en: "platform balance")
        case .unspecified, .unrecognized: LocalizedText(zhCN: "原支付方式", en: "the original payment method")
        }
    }

    /// A refund ground (R-A2).
    public static func ground(_ ground: RefundGround) -> LocalizedText {
        switch ground {
        case .notUsed: LocalizedText(zhCN: "未激活、未使用", en: "not activated and not used")
        case .duplicateCharge: LocalizedText(zhCN: "重复扣款", en: "duplicate charge")
        case .notAsDescribed: LocalizedText(zhCN: "商品与描述不符", en: "not as described")
        case .deliveryFailed: LocalizedText(zhCN: "发货失败", en: "delivery failed")
        case .partlyUsed: LocalizedText(zhCN: "部分使用（剩余时长折算）", en: "partly used (pro-rated)")
        case .unspecified, .unrecognized: LocalizedText(zhCN: "未知原因", en: "unknown ground")
        }
    }

    /// Materials as a list: "订单截图…、支付凭证…" / "order proof …, payment proof …".
    public static func materials(_ kinds: [MaterialKind]) -> LocalizedText {
        LocalizedText(
            zhCN: kinds.map { material($0).zhCN }.joined(separator: "、"),
            en: kinds.map { material($0).en }.joined(separator: ", ")
        )
    }
}

extension LocalizedText {
    /// Both languages joined with the language's sentence spacing.
    func followed(by other: LocalizedText) -> LocalizedText {
        LocalizedText(zhCN: zhCN + other.zhCN, en: en + " " + other.en)
    }
}
