import RefundMeshAPI
import RefundMeshHosting
import RefundMeshStore

extension PaymentStore {
    /// payment-channel's figures for its Prometheus endpoint: `payment_refunds{state, channel}`
    /// (R-C8 states by the channel the money goes back through, R-C1) and
    /// `payment_refunds_amount_fen{state, channel}`.
    public static func gauges(_ store: Store) -> [StoreGauge] {
        let names: [String: @Sendable (Int32) -> String] = [
            "state": { "\(RefundPayment.State(rawValue: $0))" },
            "channel": { "\(PaymentMethod(rawValue: $0))" },
        ]
        // The channel the money goes back through (R-C1): the payment's method, or the balance.
        let channel = """
            CASE WHEN destination = \(Destination.balance.rawValue) THEN \(PaymentMethod.balance.rawValue) ELSE method END
            """
        return [
            StoreGauge(
                name: "payment_refunds",
                labels: ["state", "channel"],
                sql: "SELECT state, \(channel) AS channel, COUNT(*) AS value FROM refund_payments GROUP BY 1, 2",
                store: store,
                names: names
            ),
            StoreGauge(
                name: "payment_refunds_amount_fen",
                labels: ["state", "channel"],
                sql: """
                    SELECT state, \(channel) AS channel, SUM(amount_fen) AS value FROM refund_payments GROUP BY 1, 2
                    """,
                store: store,
                names: names
            ),
        ]
    }
}
