/// R-C5: never refund more than was captured, across all refunds of a payment.
///
/// The comparison subtracts instead of adding: `refunded + amount > captured` wraps (and traps)
/// for an amount near `Int64.max`, where `amount > captured - refunded` cannot, because both
/// stored amounts are between 0 and ``InputLimits/maxAmountFen``.
public enum RefundCeiling {
    /// What is left to refund of a payment of `capturedFen` that has `refundedFen` refunded or in
    /// flight; never negative.
    public static func remainingFen(capturedFen: Int64, refundedFen: Int64) -> Int64 {
        max(0, capturedFen.saturatingAdding(-max(0, refundedFen)))
    }

    /// Whether a refund of `amountFen` fits in what is left; a negative amount never fits.
    public static func allows(_ amountFen: Int64, capturedFen: Int64, refundedFen: Int64) -> Bool {
        amountFen >= 0 && amountFen <= remainingFen(capturedFen: capturedFen, refundedFen: refundedFen)
    }
}
