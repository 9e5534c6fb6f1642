/// R-A7: flags the next request of someone who keeps withdrawing and resubmitting (频繁撤销重提).
///
/// Withdrawals beyond the limits flag the next request for risk review instead of automatic
/// approval: with the defaults (3 per order, 5 per user in 24 hours) the request after a 3rd
/// withdrawal of an order goes through, the one after the 4th is flagged; likewise the 5th and 6th
/// withdrawal of a user within 24 hours. This reads the limits as the published policy states
/// them ("more withdrawals than these flag the next request").
public struct WithdrawalGuard: Sendable {
    /// What the guard says about the next request.
    public enum Verdict: Sendable, Hashable {
        /// Decided as usual.
        case clear
        /// Sent to risk review (R-R7); the reason is told to the user and stored as the flag reason.
        case flagged(RuleReason)

        public var isFlagged: Bool {
            if case .flagged = self { return true }
            return false
        }

        /// The reason when flagged.
        public var reason: RuleReason? {
            if case .flagged(let reason) = self { return reason }
            return nil
        }
    }

    /// The window of the per-user limit: 24 hours.
    public static let userWindowMs: Int64 = 24 * 60 * 60 * 1000

    public let maxWithdrawalsPerOrder: Int
    public let maxWithdrawalsPerUserPerDay: Int

    public init(policy: RefundPolicy = .default) {
        self.maxWithdrawalsPerOrder = policy.maxWithdrawalsPerOrder
        self.maxWithdrawalsPerUserPerDay = policy.maxWithdrawalsPerUserPerDay
    }

    /// The verdict from counts: all withdrawals of this order, and this user's withdrawals in the
    /// last 24 hours (of any order).
    public func evaluate(orderWithdrawals: Int, userWithdrawalsLast24h: Int) -> Verdict {
        if orderWithdrawals > maxWithdrawalsPerOrder {
            return .flagged(
                RuleReason(
                    rule: .a7,
                    text: RefundText.tooManyOrderWithdrawals(count: orderWithdrawals, limit: maxWithdrawalsPerOrder)
                )
            )
        }
        if userWithdrawalsLast24h > maxWithdrawalsPerUserPerDay {
            return .flagged(
                RuleReason(
                    rule: .a7,
                    text: RefundText.tooManyUserWithdrawals(
                        count: userWithdrawalsLast24h,
                        limit: maxWithdrawalsPerUserPerDay
                    )
                )
            )
        }
        return .clear
    }

    /// The verdict from withdrawal times (epoch ms): every withdrawal of this order counts; of the
    /// user's, those in the 24 hours up to `now` (`now - 24h < t ≤ now`).
    public func evaluate(orderWithdrawalTimesMs: [Int64], userWithdrawalTimesMs: [Int64], now: Int64) -> Verdict {
        let since = now.saturatingAdding(-Self.userWindowMs)
        let recent = userWithdrawalTimesMs.count { $0 > since && $0 <= now }
        return evaluate(orderWithdrawals: orderWithdrawalTimesMs.count, userWithdrawalsLast24h: recent)
    }
}
