import RefundMeshAPI

/// How soon refunded money arrives on one payment method (R-C3), and what we promise the user.
///
/// The expected arrival time is the latest moment of the promise, so that payment-channel can
/// escalate a refund stuck past it (R-C6) without false alarms.
public enum ArrivalRule: Sendable, Hashable {
    /// Arrives within this many minutes of being sent (balance: R-C3 "within 10 minutes, in
    /// practice immediately"). Published as 0 working days.
    case withinMinutes(Int)
    /// Arrives when the provider confirms it (WeChat Pay, Alipay); we expect that confirmation
    /// within `maxWorkingDays` working days. R-C3 gives no figure; the default of 1 working day is
    /// our choice: providers usually confirm within minutes, and money paid from a bank card
    /// through them moves on the bank's side after the provider's confirmation.
    case providerConfirmation(maxWorkingDays: Int)
    /// Arrives within `min`-`max` working days (bank card: 3-5, R-C3); expected by `max`.
    case workingDays(min: Int, max: Int)

    /// R-C3's defaults: balance 10 minutes, WeChat Pay and Alipay 1 working day after the
    /// provider confirms, bank card 3-5 working days.
    public static let defaults: [PaymentMethod: ArrivalRule] = [
        .balance: .withinMinutes(10),
        .wechatPay: .providerConfirmation(maxWorkingDays: 1),
        .alipay: .providerConfirmation(maxWorkingDays: 1),
        .bankCard: .workingDays(min: 3, max: 5),
    ]

    /// The latest arrival in working days after sending; 0 for a minutes bound (`Policy.Arrival`).
    public var maxWorkingDays: Int {
        switch self {
        case .withinMinutes: 0
        case .providerConfirmation(let days): days
        case .workingDays(_, let max): max
        }
    }

    /// The latest expected arrival of money sent at `sentAtMs`.
    public func expectedArrival(sentAtMs: Int64, calendar: WorkingCalendar) -> Int64 {
        switch self {
        case .withinMinutes(let minutes):
            sentAtMs.saturatingAdding(Int64(max(0, minutes)).saturatingMultiplied(by: 60_000))
        case .providerConfirmation(let days):
            calendar.addingWorkingDays(days, to: sentAtMs)
        case .workingDays(_, let max):
            calendar.addingWorkingDays(max, to: sentAtMs)
        }
    }

    /// For a person, e.g. "3-5 working days" (`Policy.Arrival.description`).
    public var text: LocalizedText {
        RefundText.arrival(self)
    }
}
