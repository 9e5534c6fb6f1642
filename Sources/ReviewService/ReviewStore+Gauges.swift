import RefundMeshHosting
import RefundMeshStore

extension ReviewStore {
    /// review's figures for its Prometheus endpoint:
    /// - `review_cases{outcome}`: every case by outcome (auto-approved, manual, …);
    /// - `review_queue_cases{claim}`: the reviewer queue (R-R8), claimed and unclaimed (R-R10);
    /// - `review_sla_cases{escalation}`: open manual cases by SLA escalation level (R-R4:
    ///   0 on time, 1 warned as due soon, 2 breached and escalated).
    public static func gauges(_ store: Store) -> [StoreGauge] {
        [
            StoreGauge(
                name: "review_cases",
                labels: ["outcome"],
                sql: "SELECT outcome, COUNT(*) AS value FROM review_cases GROUP BY outcome",
                store: store
            ),
            StoreGauge(
                name: "review_queue_cases",
                labels: ["claim"],
                sql: """
                    SELECT CASE WHEN claimed_by <> '' THEN 'claimed' ELSE 'unclaimed' END AS claim, COUNT(*) AS value
                    FROM review_cases WHERE outcome = 'manual' GROUP BY 1
                    """,
                store: store
            ),
            StoreGauge(
                name: "review_sla_cases",
                labels: ["escalation"],
                sql: """
                    SELECT sla_escalation AS escalation, COUNT(*) AS value
                    FROM review_cases WHERE outcome = 'manual' GROUP BY sla_escalation
                    """,
                store: store
            ),
        ]
    }
}
