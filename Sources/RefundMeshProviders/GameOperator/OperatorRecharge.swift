/// `GET /operator/v1/recharges/{order_id}` answer (R-R2).
public struct OperatorRecharge: Codable, Sendable, Hashable {
    public var orderID: String
    public var status: OperatorRechargeStatus
    public var creditedAtMs: Int64?

    public init(orderID: String, status: OperatorRechargeStatus, creditedAtMs: Int64? = nil) {
        self.orderID = orderID
        self.status = status
        self.creditedAtMs = creditedAtMs
    }

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id"
        case status
        case creditedAtMs = "credited_at_ms"
    }
}
