import RefundMeshAPI
import RefundMeshDomain

/// Shared builders: times in China Standard Time, the seed's orders.
enum Fixtures {
    static let calendar = WorkingCalendar()
    static let hourMs: Int64 = 3_600_000
    static let dayMs: Int64 = 24 * hourMs

    /// Epoch ms of `yyyy-MM-dd hh:mm` in China Standard Time (UTC+8).
    static func cst(_ date: String, hour: Int64 = 12, minute: Int64 = 0) -> Int64 {
        let day = CivilDate(parsing: date)!
        return calendar.startOfDay(day) + hour * hourMs + minute * 60_000
    }

    /// Paid 2026-11-05 14:00 CST (a Thursday).
    static let paidAt = cst("2026-11-05", hour: 14)

    static func order(
        _ kind: ProductKind,
        priceFen: Int64 = 10_000,
        paidAtMs: Int64 = paidAt,
        validUntilMs: Int64 = 0,
        totalDays: Int32 = 0
    ) -> Order {
        Order(
            orderID: "o-1",
            userID: "u-1",
            productKind: kind,
            sku: "sku-1",
            productName: "game card",
            priceFen: priceFen,
            paidAtMs: paidAtMs,
            validUntilMs: validUntilMs,
            totalDays: totalDays
        )
    }

    static let allMaterials: [MaterialKind] = [.orderProof, .paymentProof, .nonUseProof, .reasonStatement]
    static let specificReason = "卡密 8812 购买后未刮开，游戏内未充值，订单截图和未刮开视频已附上"
    static let specificReasonEN = "The card key 8812 was never redeemed; the attached video shows it sealed."
}
