import RefundMeshAPI
import RefundMeshDomain

/// A third-party payment channel (WeChat Pay, Alipay, a bank card acquirer) as payment-channel
/// uses it: submit a refund under our refund number, ask about it until it is final, and fetch
/// the provider's bill of a day for reconciliation.
///
/// R-C6: callers always pass the number fixed in the refund payment, on the first call and on
/// every retry, and an adapter must pass it to the provider unchanged (WeChat Pay's
/// `out_refund_no`, Alipay's `out_request_no`, the bank's `refund_no`): that is what makes a retry
/// safe. A call whose outcome is unknown (timeout, connection reset, a 5xx such as WeChat's
/// SYSTEM_ERROR or Alipay's ACQ.SYSTEM_ERROR / code 20000) **throws**; the caller then does not
/// know whether the provider acted and retries with the same number later.
///
/// R-C8: statuses are mapped faithfully by the adapter (see ``ChannelRefundStatus``). R-C7: the
/// caller throttles (per channel and merchant, per order); an adapter that is answered "too many
/// requests" returns ``ChannelSubmission/rateLimited(retryAfterMs:)`` rather than throwing.
public protocol ChannelAdapter: Sendable {
    /// Asks the provider to refund `request.amountFen` of `request.payment` under `request.refundNo`.
    /// - Returns: what the provider answered; a provider that already has the number answers
    ///   ``ChannelSubmission/accepted(_:)`` with the state it has.
    /// - Throws: when the outcome is unknown (R-C6).
    func submit(_ request: ChannelRefundRequest) async throws -> ChannelSubmission

    /// Where the refund numbered `request.refundNo` stands at the provider.
    /// - Throws: when the provider could not be asked; the caller asks again later.
    func query(_ request: ChannelRefundRequest) async throws -> ChannelRefundStatus

    /// The provider's records of refunds for one day of the shop's calendar (WeChat's REFUND
    /// trade bill, Alipay's bill download, the bank's settlement file), for ``Reconciliation``.
    func bill(day: CivilDate) async throws -> [ProviderBillRecord]
}

/// Everything a provider needs to refund one captured payment (the same value on every retry).
public struct ChannelRefundRequest: Sendable, Hashable {
    /// R-C6: our refund number at the provider, fixed before the first call.
    public var refundNo: String
    /// Our refund id (for the adapter's logs; providers only see `refundNo`).
    public var refundID: String
    /// The money the provider moves to the user, in fen (after the R-C2 fee).
    public var amountFen: Int64
    /// The payment refunded: `paymentID` is the provider's transaction id (WeChat
    /// `transaction_id`, Alipay `trade_no`, the bank's card payment id), `orderID` our
    /// `out_trade_no`, `amountFen` the trade's total, `merchantID` the merchant account.
    public var payment: CapturedPayment
    /// A short reason shown by some providers to the user.
    public var reason: String

    public init(refundNo: String, refundID: String, amountFen: Int64, payment: CapturedPayment, reason: String = "") {
        self.refundNo = refundNo
        self.refundID = refundID
        self.amountFen = amountFen
        self.payment = payment
        self.reason = reason
    }
}

/// A provider's answer to a submission.
public enum ChannelSubmission: Sendable, Hashable {
    /// The provider took the refund (or already had it under this number). `status` is the state
    /// it reported in the same answer when it gave one (Alipay's `fund_change=Y` means the money
    /// moved: `.succeeded`; `fund_change=N` on a first request: `nil`, i.e. processing), otherwise
    /// the refund is queried until final.
    case accepted(ChannelRefundStatus?)
    /// The provider refused it for good: more than the payment, past WeChat's 365 days, an order
    /// with 50 refunds (R-C7), a closed trade. `providerCode` is the provider's own code
    /// (`NOT_ENOUGH`, `ACQ.TRADE_NOT_EXIST` …) for operators.
    case refused(reason: String, providerCode: String)
    /// The provider said "too many requests" (WeChat 429 FREQUENCY_LIMITED, Alipay's trade
    /// interval). Nothing was done; the refund waits and is submitted again (R-C7), never failed.
    case rateLimited(retryAfterMs: Int64?)
}

/// What a provider says about a submitted refund (R-C8: mapped faithfully).
///
/// | provider | processing | succeeded | closed | abnormal | reversed |
/// |---|---|---|---|---|---|
/// | WeChat Pay v3 | PROCESSING | SUCCESS (`success_time`) | CLOSED | ABNORMAL before success | a returned refund after SUCCESS |
/// | Alipay | no `refund_status` yet, or `fund_change=N` | REFUND_SUCCESS / `fund_change=Y` | trade closed / refund refused | — | refund reversed after success |
/// | bank card | ACCEPTED | SETTLED | refused | — | RETURNED |
public enum ChannelRefundStatus: Sendable, Hashable {
    /// Accepted, money not confirmed yet.
    case processing
    /// The money moved to the user at `atMs` (the provider's time, or ours when it gave none).
    case succeeded(atMs: Int64)
    /// Ended without moving money; final (WeChat CLOSED).
    case closed(reason: String)
    /// WeChat ABNORMAL: the money could not be delivered (the user's card was closed or frozen).
    /// Not final: a person retries it or sends it elsewhere (R-C8).
    case abnormal(reason: String)
    /// The provider said it succeeded and later reversed it (bank RETURNED, a returned WeChat
    /// refund, Alipay's reversal): the money is back with us (R-C8).
    case reversed(reason: String)
    /// The provider has no refund under this number: the submission never reached it. Submitting
    /// again with the same number is safe (R-C6).
    case notFound

    /// Whether no further change is expected from the provider (ABNORMAL and PROCESSING are not).
    public var isFinal: Bool {
        switch self {
        case .succeeded, .closed, .reversed: true
        case .processing, .abnormal, .notFound: false
        }
    }

    /// For logs, alerts and reconciliation reports: `SUCCESS`, `CLOSED`, …
    public var name: String {
        switch self {
        case .processing: "PROCESSING"
        case .succeeded: "SUCCESS"
        case .closed: "CLOSED"
        case .abnormal: "ABNORMAL"
        case .reversed: "REVERSED"
        case .notFound: "NOT_FOUND"
        }
    }
}

/// One line of a provider's refund bill for a day.
public struct ProviderBillRecord: Sendable, Hashable {
    /// Our refund number as the provider knows it (`out_refund_no` / `out_request_no`).
    public var refundNo: String
    /// The provider's own refund id, when it has one.
    public var providerRefundID: String
    /// What the provider moved (or would move), in fen.
    public var amountFen: Int64
    /// The state the bill reports (``ChannelRefundStatus/succeeded(atMs:)`` for money moved).
    public var status: ChannelRefundStatus
    public var atMs: Int64

    public init(
        refundNo: String,
        providerRefundID: String = "",
        amountFen: Int64,
        status: ChannelRefundStatus,
        atMs: Int64
    ) {
        self.refundNo = refundNo
        self.providerRefundID = providerRefundID
        self.amountFen = amountFen
        self.status = status
        self.atMs = atMs
    }
}
