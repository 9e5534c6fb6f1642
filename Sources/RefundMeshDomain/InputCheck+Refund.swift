import RefundMeshAPI

// The shared refund vocabulary (refundmesh.refund.v1): each enum by its proto names, so a number
// this schema does not name is refused with the names that are accepted.
extension InputCheck {
    /// R-P1 … R-P4.
    public mutating func known(_ value: ProductKind, _ field: String, allowsUnspecified: Bool = false) {
        known(
            value.rawValue,
            field,
            cases: ["CARD_KEY", "DIRECT_RECHARGE", "TIME_BASED", "VIRTUAL_SERVICE"],
            allowsUnspecified: allowsUnspecified
        )
    }

    /// R-C1.
    public mutating func known(_ value: PaymentMethod, _ field: String, allowsUnspecified: Bool = false) {
        known(
            value.rawValue,
            field,
            cases: ["WECHAT_PAY", "ALIPAY", "BANK_CARD", "BALANCE"],
            allowsUnspecified: allowsUnspecified
        )
    }

    /// R-A1.
    public mutating func known(_ value: RequestSource, _ field: String, allowsUnspecified: Bool = true) {
        known(
            value.rawValue,
            field,
            cases: ["ORDER_PAGE", "CUSTOMER_SERVICE", "BACK_OFFICE"],
            allowsUnspecified: allowsUnspecified
        )
    }

    /// R-A2.
    public mutating func known(_ value: RefundGround, _ field: String, allowsUnspecified: Bool = false) {
        known(
            value.rawValue,
            field,
            cases: ["NOT_USED", "DUPLICATE_CHARGE", "NOT_AS_DESCRIBED", "DELIVERY_FAILED", "PARTLY_USED"],
            allowsUnspecified: allowsUnspecified
        )
    }

    /// R-A5.
    public mutating func known(_ value: MaterialKind, _ field: String, allowsUnspecified: Bool = false) {
        known(
            value.rawValue,
            field,
            cases: ["ORDER_PROOF", "PAYMENT_PROOF", "NON_USE_PROOF", "REASON_STATEMENT"],
            allowsUnspecified: allowsUnspecified
        )
    }

    /// R-C1: unspecified means the original way.
    public mutating func known(_ value: Destination, _ field: String, allowsUnspecified: Bool = true) {
        known(value.rawValue, field, cases: ["ORIGINAL", "BALANCE"], allowsUnspecified: allowsUnspecified)
    }

    /// A refund's state.
    public mutating func known(_ value: RefundState, _ field: String, allowsUnspecified: Bool = false) {
        known(
            value.rawValue,
            field,
            cases: [
                "RECEIVED", "UNDER_REVIEW", "AWAITING_MATERIALS", "OFFERED", "APPROVED", "REJECTED", "WITHDRAWN",
                "OFFER_DECLINED", "MONEY_SENT", "MONEY_ARRIVED", "FAILED", "MONEY_REVERSED",
            ],
            allowsUnspecified: allowsUnspecified
        )
    }

    /// A list of materials: each known, at most ``InputLimits/maxListEntries``.
    public mutating func known(_ values: [MaterialKind], _ field: String) {
        count(values.count, field)
        for (index, value) in values.enumerated() where problems.count < 20 {
            known(value, "\(field)[\(index)]")
        }
    }

    /// An order as the platform feed states it (intake's RecordOrder, review's OpenCase): ids,
    /// kind, price, times and labels. `now` bounds the paid time (a payment in the future did not
    /// happen).
    public mutating func order(_ order: Order, _ field: String = "order", now: Int64) {
        let prefix = field.isEmpty ? "" : field + "."
        identifier(order.orderID, prefix + "order_id")
        identifier(order.userID, prefix + "user_id")
        known(order.productKind, prefix + "product_kind")
        amount(order.priceFen, prefix + "price_fen")
        pastTime(order.paidAtMs, prefix + "paid_at_ms", now: now)
        time(order.validUntilMs, prefix + "valid_until_ms")
        if order.validUntilMs != 0, order.paidAtMs != 0, order.validUntilMs < order.paidAtMs {
            add("\(prefix)valid_until_ms \(order.validUntilMs) is before paid_at_ms \(order.paidAtMs)")
        }
        if order.productKind == .timeBased, order.totalDays <= 0 {
            add("\(prefix)total_days must be above 0 for a TIME_BASED product (got \(order.totalDays))")
        } else if order.totalDays < 0 || order.totalDays > 36_600 {
            add("\(prefix)total_days must be 0...36600 (got \(order.totalDays))")
        }
        label(order.sku, prefix + "sku")
        label(order.productName, prefix + "product_name")
        label(order.cardKeyID, prefix + "card_key_id")
        label(order.rechargeAccount, prefix + "recharge_account")
        label(order.buyerDeviceID, prefix + "buyer_device_id")
        label(order.buyerIP, prefix + "buyer_ip")
    }
}
