import RefundMeshAPI
import RefundMeshHosting
import RefundMeshStore

extension DeliveryStore {
    /// notification's figures for its Prometheus endpoint: `notification_deliveries{channel,
    /// state}` (R-N3: pending, delivered, dead letters) and `notification_inbox_items`.
    public static func gauges(_ store: Store) -> [StoreGauge] {
        [
            StoreGauge(
                name: "notification_deliveries",
                labels: ["channel", "state"],
                sql: "SELECT channel, state, COUNT(*) AS value FROM deliveries GROUP BY 1, 2",
                store: store,
                names: [
                    "channel": { "\(Delivery.Channel(rawValue: $0))" },
                    "state": { "\(Delivery.State(rawValue: $0))" },
                ]
            ),
            StoreGauge(
                name: "notification_inbox_items",
                sql: "SELECT COUNT(*) AS value FROM inbox_items",
                store: store
            ),
        ]
    }
}
