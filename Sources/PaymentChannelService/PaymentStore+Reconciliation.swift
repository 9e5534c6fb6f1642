import GRDB
import RefundMeshAPI
import RefundMeshDomain

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
            let ours = try RefundPaymentRecord.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT * FROM refund_payments
                        WHERE method = ? AND sent_at_ms >= ? AND sent_at_ms < ? AND state != ?
                        ORDER BY sent_at_ms, refund_id
                        """
                ),
                arguments: [Int(method.rawValue), start, end, Int(RefundPayment.State.pending.rawValue)]
            )
            var lookup: [String: RefundPaymentRecord] = [:]
            for refund in ours { lookup[refund.providerRefundNo] = refund }
            for number in numbers where lookup[number] == nil {
                if let refund = try RefundPaymentRecord.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM refund_payments WHERE provider_refund_no = ?"),
                    arguments: [number]
                ) {
                    lookup[number] = refund
                }
            }
            return (ours.filter { $0.state != .failed }, lookup)
        }
    }
}
