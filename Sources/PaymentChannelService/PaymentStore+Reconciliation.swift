import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshStore

extension PaymentStore {
    /// Our refunds of `method` sent to the provider on `day` (the shop's calendar), and a lookup of
    /// every refund by provider number for the numbers in `numbers`.
    func reconciliationInputs(
        method: PaymentMethod,
        day: CivilDate,
        numbers: [String]
    ) async throws
        -> (ours: [RefundPaymentRecord], lookup: [String: RefundPaymentRecord])
    {
        let start = policy.calendar.startOfDay(day)
        let end = start + 86_400_000
        return try await store.read { db in
            let ours = try db.rows(
                """
                SELECT * FROM refund_payments
                WHERE method = ? AND sent_at_ms >= ? AND sent_at_ms < ? AND state != ?
                ORDER BY sent_at_ms, refund_id
                """,
                [Int(method.rawValue), start, end, Int(RefundPayment.State.pending.rawValue)]
            ).map(RefundPaymentRecord.init(row:))
            var lookup: [String: RefundPaymentRecord] = [:]
            for refund in ours { lookup[refund.providerRefundNo] = refund }
            for number in numbers where lookup[number] == nil {
                if let refund = try db.row("SELECT * FROM refund_payments WHERE provider_refund_no = ?", [number]).map(
                    RefundPaymentRecord.init(row:)
                ) {
                    lookup[number] = refund
                }
            }
            return (ours.filter { $0.state != .failed }, lookup)
        }
    }
}
