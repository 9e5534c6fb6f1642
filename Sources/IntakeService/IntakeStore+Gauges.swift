import RefundMeshAPI
import RefundMeshHosting
import RefundMeshStore

extension IntakeStore {
    /// intake's figures for its Prometheus endpoint: `intake_refunds{state}`, every refund by
    /// the state the user sees on its timeline (R-T2).
    public static func gauges(_ store: Store) -> [StoreGauge] {
        [
            StoreGauge(
                name: "intake_refunds",
                labels: ["state"],
                sql: "SELECT state, COUNT(*) AS value FROM refunds GROUP BY state",
                store: store,
                names: ["state": { "\(RefundState(rawValue: $0))" }]
            )
        ]
    }
}
