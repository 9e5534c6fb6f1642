import Logging
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshProviders

/// Bank card refunds as a ``ChannelAdapter``: a thin mapping over ``BankCardClient``
/// (HMAC-SHA256-signed both ways; docs/PROVIDERS.md).
///
/// - The refund number goes out unchanged as `refund_no` (R-C6); the card payment is the payment id.
/// - States (R-C8): ACCEPTED → processing (money on its way for 3-5 working days, R-C3); SETTLED →
///   succeeded at `settled_at_ms`; RETURNED → reversed when the refund had settled (the issuer
///   took it back), closed when it never settled (the issuer refused it; no money moved).
/// - 429 / RATE_LIMITED → rate limited (R-C7); other 4xx (AMOUNT_EXCEEDS_PAYMENT, a refund number
///   reused with other content …) → refused with the bank's code; 5xx and timeouts throw (R-C6).
public struct BankCardChannelAdapter: ChannelAdapter {
    public let client: BankCardClient
    private let logger: Logger
    private let now: @Sendable () -> Int64

    /// - Parameter client: shares the service's one `HTTPClient`.
    public init(
        client: BankCardClient,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        self.client = client
        self.logger = logger
        self.now = now
    }

    public func submit(_ request: ChannelRefundRequest) async throws -> ChannelSubmission {
        do {
            let refund = try await client.submit(
                refundNo: request.refundNo,
                cardPaymentID: request.payment.paymentID,
                amountFen: request.amountFen
            )
            return .accepted(status(of: refund))
        } catch {
            return try ProviderCallOutcome.submission(after: error)
        }
    }

    public func query(_ request: ChannelRefundRequest) async throws -> ChannelRefundStatus {
        do {
            return status(of: try await client.query(refundNo: request.refundNo))
        } catch {
            return try ProviderCallOutcome.status(after: error)
        }
    }

    /// The day's settlement file: SETTLED lines succeeded, RETURNED lines were reversed.
    public func bill(day: CivilDate) async throws -> [ProviderBillRecord] {
        try await client.settlementFile(date: ProviderTime.billDate(day)).entries.map { entry in
            ProviderBillRecord(
                refundNo: entry.refundNo,
                providerRefundID: entry.bankRefundID,
                amountFen: entry.amountFen,
                status: entry.state == .returned
                    ? .reversed(reason: "the card issuer returned refund \(entry.refundNo) (RETURNED)")
                    : Self.status(entry.state, settledAtMs: entry.settledAtMs, reason: nil, refundNo: entry.refundNo),
                atMs: entry.settledAtMs
            )
        }
    }

    /// The channel status of a refund as the bank answered or notified it (R-C8).
    public func status(of refund: BankRefund) -> ChannelRefundStatus {
        if ![BankRefundState.accepted, .settled, .returned].contains(refund.state) {
            logger.notice(
                "the bank answered an unknown refund state; treated as ACCEPTED and queried again",
                metadata: ["refund.provider_no": "\(refund.refundNo)", "provider.status": "\(refund.state)"]
            )
        }
        return Self.status(
            refund.state,
            settledAtMs: refund.settledAtMs,
            reason: refund.returnReason,
            refundNo: refund.refundNo,
            fallbackAtMs: now()
        )
    }

    /// The bank's state as ours (R-C8); shared with the notification endpoint.
    public static func status(
        _ state: BankRefundState,
        settledAtMs: Int64?,
        reason: String?,
        refundNo: String,
        fallbackAtMs: Int64 = 0
    ) -> ChannelRefundStatus {
        switch state {
        case .settled:
            return .succeeded(atMs: settledAtMs ?? fallbackAtMs)
        case .returned where settledAtMs != nil:
            return .reversed(
                reason: "the card issuer returned refund \(refundNo) (RETURNED: \(reason ?? "no reason given"))"
            )
        case .returned:
            return .closed(
                reason: "the card issuer refused refund \(refundNo) (RETURNED: \(reason ?? "no reason given"))"
            )
        default:
            return .processing
        }
    }
}
