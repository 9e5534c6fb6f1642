import RefundMeshAPI

extension RefundPaymentRecord {
    /// What a provider status does to a refund payment (R-C8, R-C9), decided from the stored
    /// state alone, so that a status seen twice, late or out of order changes nothing twice.
    ///
    /// ```
    ///            processing            succeeded
    ///  PENDING ─────────────▶ SENT ───────────────▶ ARRIVED ──reversed──▶ REVERSED
    ///     │ closed/refused     │ closed  │ abnormal     ▲                    │
    ///     ▼                    ▼         ▼              │ succeeded          │ resolve TO_BALANCE
    ///   FAILED ◀──────────── FAILED   ABNORMAL ─────────┘                    ▼
    ///     │ succeeded (late:                │ resolve RETRY_ORIGINAL → SENT   ARRIVED (to balance)
    ///     ▼   alert, money did move)       │ resolve TO_BALANCE → ARRIVED (to balance)
    ///   ARRIVED
    /// ```
    /// A final state moves again only for a reversal after success, or a success after we had
    /// recorded a failure (the money did move, so the books must say so); both raise an alert.
    package enum Step: Sendable, Hashable {
        /// → SENT (the provider has it).
        case send
        /// → ARRIVED at the provider's time.
        case arrive(atMs: Int64)
        /// → FAILED: the provider closed or refused it.
        case fail(reason: String)
        /// → ABNORMAL: waits for a person.
        case abnormal(reason: String)
        /// ARRIVED → REVERSED: the money came back.
        case reverse(reason: String)
        /// FAILED → ARRIVED: the provider paid after all.
        case lateSuccess(atMs: Int64)
        /// Paid at the provider although an operator credited the balance instead.
        case paidTwice
        /// Nothing moves, but an operator must look (kind, message).
        case alert(kind: String, message: String)
    }

    /// The steps `status` causes from this refund's state, in order; empty when it changes nothing.
    package func steps(for status: ChannelRefundStatus) -> [Step] {
        let resolvedToBalance = resolution == Resolution.toBalance
        switch (state, status) {
        case (_, .notFound):
            return []
        case (.pending, .processing):
            return [.send]
        case (.pending, .succeeded(let at)):
            return [.send, .arrive(atMs: at)]
        case (.pending, .closed(let reason)):
            return [.fail(reason: reason)]
        case (.pending, .abnormal(let reason)):
            return [.send, .abnormal(reason: reason)]
        case (.pending, .reversed(let reason)), (.sent, .reversed(let reason)):
            return (state == .pending ? [.send] : []) + [.arrive(atMs: 0), .reverse(reason: reason)]
        case (.sent, .processing), (.abnormal, .processing), (.abnormal, .abnormal):
            return []
        case (.sent, .succeeded(let at)), (.abnormal, .succeeded(let at)):
            return [.arrive(atMs: at)]
        case (.sent, .closed(let reason)), (.abnormal, .closed(let reason)):
            return [.fail(reason: reason)]
        case (.sent, .abnormal(let reason)):
            return [.abnormal(reason: reason)]
        case (.abnormal, .reversed(let reason)):
            return [
                .alert(
                    kind: "conflicting-status",
                    message: "provider reports REVERSED for an ABNORMAL refund: \(reason)"
                )
            ]
        case (.arrived, .succeeded):
            return resolvedToBalance && !reversedBefore ? [.paidTwice] : []
        case (.arrived, .processing):
            return []
        case (.arrived, .reversed(let reason)):
            return resolvedToBalance ? [] : [.reverse(reason: reason)]
        case (.arrived, .abnormal(let reason)) where !resolvedToBalance && !abnormalBefore:
            // WeChat reports a refund returned after SUCCESS as ABNORMAL: a refund that was never
            // ABNORMAL before cannot be getting a stale ABNORMAL, so the money came back.
            return [.reverse(reason: "ABNORMAL after SUCCESS: \(reason)")]
        case (.arrived, .closed(let reason)), (.arrived, .abnormal(let reason)):
            guard !resolvedToBalance else { return [] }
            return [
                .alert(
                    kind: "conflicting-status",
                    message: "provider reports \(status.name) (\(reason)) for a refund it confirmed as SUCCESS"
                        + " (after an earlier ABNORMAL, or CLOSED): check the provider; money taken back is"
                        + " reported as REVERSED (R-C8)"
                )
            ]
        case (.failed, .succeeded(let at)):
            return [.lateSuccess(atMs: at)]
        case (.failed, _), (.reversed, _):
            return []
        default:
            return []
        }
    }

    /// Whether the refund was reversed before (its failure reason says so).
    var reversedBefore: Bool { failureReason?.hasPrefix(Resolution.reversedPrefix) == true }

    /// Whether the refund was ABNORMAL before (its failure reason says so): a later ABNORMAL
    /// for it may be a stale notification rather than a reversal.
    var abnormalBefore: Bool { failureReason?.hasPrefix(Resolution.abnormalPrefix) == true }

    /// Operator resolutions (``PaymentStore/resolve(_:action:operatorID:note:at:)``).
    enum Resolution {
        static let retryOriginal = "retry-original"
        static let toBalance = "to-balance"
        /// A reversed refund's failure reason starts with this.
        static let reversedPrefix = "reversed: "
        /// An ABNORMAL refund's failure reason starts with this.
        static let abnormalPrefix = "abnormal: "
    }
}
