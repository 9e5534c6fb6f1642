import RefundMeshAPI

/// Where refunded money goes, what the channel keeps, and when the money arrives (R-C1 … R-C4).
public enum FeeSchedule {
    /// R-C1: the method a refund is paid out on: the balance when the user chose it, otherwise
    /// back the way the money came (原路返回). An unspecified destination means the original way.
    /// An unknown original method is returned as it is; the caller decides (payment-channel knows
    /// the payment).
    public static func refundMethod(paidWith: PaymentMethod, destination: Destination) -> PaymentMethod {
        switch destination {
        case .balance: .balance
        case .original, .unspecified, .unrecognized: paidWith
        }
    }

    /// R-A2(b): the grounds that are the platform's fault: duplicate charge, not as described,
    /// delivery failed. Refunds on them carry no fee (R-C2). "Not used" and "partly used" are the
    /// user's choice, not a fault.
    public static func isPlatformFault(_ ground: RefundGround) -> Bool {
        switch ground {
        case .duplicateCharge, .notAsDescribed, .deliveryFailed: true
        case .notUsed, .partlyUsed, .unspecified, .unrecognized: false
        }
    }

    /// R-C2: the channel fee kept from a refund of `amountFen` paid out on `method`.
    ///
    /// None for the balance and none for platform faults (the ground decides, R-A2b); otherwise
    /// `amount × policy.feeBasisPoints(for: method) / 10000` (per channel, falling back to the
    /// common fee) rounded half-up to the fen (100 fen at 0.6% is 0.6 → 1;
    /// 10000 fen → 60). The product is taken in 128 bits, so no amount overflows. A method that is
    /// not known to be the balance is charged like a third-party channel, so a quote never shows
    /// less fee than is kept. A non-positive amount has no fee, and the fee never exceeds the
    /// amount.
    public static func fee(
        amountFen: Int64,
        method: PaymentMethod,
        platformFault: Bool,
        policy: RefundPolicy
    ) -> Int64 {
        let points = policy.feeBasisPoints(for: method)
        guard amountFen > 0, !platformFault, method != .balance, points > 0 else { return 0 }
        let product = amountFen.multipliedFullWidth(by: Int64(points))
        let (quotient, remainder) = Int64(10_000).dividingFullWidth(product)
        let rounded = remainder * 2 >= 10_000 ? quotient + 1 : quotient
        return min(rounded, amountFen)
    }

    /// R-C3: the latest expected arrival of a refund sent at `sentAtMs` on `method`.
    ///
    /// Balance: within its minutes bound (10 by default). WeChat Pay and Alipay: the configured
    /// working days for the provider's confirmation (1 by default). Bank card: the upper end of
    /// 3-5 working days. Working days come from `calendar` (weekends and holidays skipped).
    public static func expectedArrival(
        method: PaymentMethod,
        sentAtMs: Int64,
        calendar: WorkingCalendar,
        policy: RefundPolicy
    ) -> Int64 {
        policy.arrival(for: method).expectedArrival(sentAtMs: sentAtMs, calendar: calendar)
    }
}
