import RefundMeshAPI
import RefundMeshDomain

/// How one refund of a captured payment is paid: where to, what the channel keeps, when it
/// arrives (R-C1 … R-C3). The same computation serves Quote (shown before submission, R-A6) and
/// ExecuteRefund (what is paid), so the user is never quoted something other than what is done.
public struct RefundTerms: Sendable, Hashable {
    /// R-C1: the method the money goes back on.
    public var method: PaymentMethod
    public var destination: Destination
    public var amountFen: Int64
    /// R-C2: none for the balance or platform faults.
    public var feeFen: Int64
    public var netFen: Int64
    /// R-C3: the latest expected arrival, counted from `sentAtMs`.
    public var expectedArrivalMs: Int64

    /// - Parameters:
    ///   - payment: the captured payment the money came from.
    ///   - amountFen: the refund's amount, before the fee.
    ///   - destination: the original way (default) or the platform balance.
    ///   - platformFault: R-A2(b) grounds: no fee.
    ///   - sentAtMs: when the money is (or would be) sent.
    /// - Throws: ``PaymentChannelError`` when the amount is not positive or the payment's method
    ///   is unknown and the money is not going to the balance.
    public init(
        payment: CapturedPayment,
        amountFen: Int64,
        destination: Destination,
        platformFault: Bool,
        sentAtMs: Int64,
        policy: RefundPolicy
    ) throws(PaymentChannelError) {
        guard amountFen > 0 else {
            throw .invalid("amount_fen must be positive; got \(amountFen)")
        }
        let destination: Destination = destination == .balance ? .balance : .original
        let method = FeeSchedule.refundMethod(paidWith: payment.method, destination: destination)
        guard PaymentStore.knownMethods.contains(method) else {
            throw .refused(
                "payment \(payment.paymentID) was made with an unknown method (\(method.rawValue)); it can only be"
                    + " refunded to the platform balance (R-C1)"
            )
        }
        self.method = method
        self.destination = destination
        self.amountFen = amountFen
        self.feeFen = FeeSchedule.fee(
            amountFen: amountFen,
            method: method,
            platformFault: platformFault,
            policy: policy
        )
        self.netFen = amountFen - feeFen
        self.expectedArrivalMs = FeeSchedule.expectedArrival(
            method: method,
            sentAtMs: sentAtMs,
            calendar: policy.calendar,
            policy: policy
        )
    }
}
