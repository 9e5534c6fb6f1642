import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshStore

/// The movements of a refund payment, each one transaction's worth of work: the state change,
/// its balanced ledger entry (``Ledger``), its messages (``RefundNotices``) and, where a person
/// must look, an alert. Called only inside a write transaction by ``PaymentStore``; each
/// function assumes the caller checked the state machine (``RefundPaymentRecord/steps(for:)``).
enum RefundMovements {
    /// Runs `steps` on `refund` and saves it.
    static func apply(
        _ db: some SQLSession,
        _ refund: inout RefundPaymentRecord,
        steps: [RefundPaymentRecord.Step],
        context: PaymentStore.Context,
        at nowMs: Int64
    ) throws {
        guard !steps.isEmpty else { return }
        for step in steps {
            switch step {
            case .send: try send(db, &refund, context: context, at: nowMs)
            case .arrive(let atMs): try arrive(db, &refund, providerAtMs: atMs, at: nowMs)
            case .fail(let reason): try fail(db, &refund, reason: reason, at: nowMs)
            case .abnormal(let reason): try abnormal(db, &refund, reason: reason, context: context, at: nowMs)
            case .reverse(let reason): try reverse(db, &refund, reason: reason, context: context, at: nowMs)
            case .lateSuccess(let atMs): try lateSuccess(db, &refund, providerAtMs: atMs, context: context, at: nowMs)
            case .paidTwice: try paidTwice(db, refund, context: context, at: nowMs)
            case .alert(let kind, let message):
                try RefundNotices.alert(db, refund, kind: kind, message: message, context: context, at: nowMs)
            }
        }
        try save(db, refund)
    }

    /// The refund is owed: `refund_expense` / `refunds_payable`. A balance refund is paid in the
    /// same transaction: `refunds_payable` / `user_balance:<user>` (R-C3: arrives at once).
    static func begin(_ db: some SQLSession, _ refund: inout RefundPaymentRecord, at nowMs: Int64) throws {
        try Ledger.post(
            db,
            refundID: refund.refundID,
            movement: "begin",
            postings: owedPostings(refund),
            at: nowMs
        )
        guard !refund.usesProvider else { return }
        try creditBalance(db, refund, fromAccount: Ledger.refundsPayable, movement: "to-balance", at: nowMs)
        refund.state = .arrived
        refund.sentAtMs = nowMs
        refund.arrivedAtMs = nowMs
    }

    /// PENDING → SENT: the provider has the refund; the fee is kept, the net is in clearing.
    static func send(
        _ db: some SQLSession,
        _ refund: inout RefundPaymentRecord,
        context: PaymentStore.Context,
        at nowMs: Int64
    ) throws {
        try Ledger.post(
            db,
            refundID: refund.refundID,
            movement: "sent",
            postings: sentPostings(refund),
            at: nowMs
        )
        refund.state = .sent
        refund.sentAtMs = nowMs
        refund.notBeforeMs = nil
        // R-C3: the promise counts from when the money actually left.
        refund.expectedArrivalMs = FeeSchedule.expectedArrival(
            method: refund.method,
            sentAtMs: nowMs,
            calendar: context.policy.calendar,
            policy: context.policy
        )
        // R-C6: the first query about a minute later; notifications usually come first.
        let interval = context.settings.nextQueryInterval(after: nil)
        refund.queryIntervalMs = interval
        refund.nextQueryAtMs = nowMs + interval
        try RefundNotices.moneySent(db, refund, at: nowMs)
    }

    /// SENT or ABNORMAL → ARRIVED: the provider confirmed the money moved out of our settlement.
    static func arrive(
        _ db: some SQLSession,
        _ refund: inout RefundPaymentRecord,
        providerAtMs: Int64,
        at nowMs: Int64
    ) throws {
        let from = refund.state == .abnormal ? Ledger.abnormal(refund.method) : Ledger.clearing(refund.method)
        try Ledger.post(
            db,
            refundID: refund.refundID,
            movement: "arrived",
            postings: netPostings(refund, debit: from, credit: Ledger.settlement(refund.method)),
            at: nowMs
        )
        refund.state = .arrived
        refund.arrivedAtMs = providerAtMs > 0 ? providerAtMs : nowMs
        refund.nextQueryAtMs = nil
        try RefundNotices.moneyArrived(db, refund, at: nowMs)
    }

    /// → FAILED: no money moved; everything the refund posted is undone, so it nets to zero.
    static func fail(_ db: some SQLSession, _ refund: inout RefundPaymentRecord, reason: String, at nowMs: Int64) throws
    {
        let positions = try Ledger.positions(db, refundID: refund.refundID)
        try Ledger.post(
            db,
            refundID: refund.refundID,
            movement: "failed",
            postings: positions.map { .init($0.account, -$0.amountFen) },
            memo: reason,
            at: nowMs
        )
        refund.state = .failed
        refund.failureReason = reason
        refund.nextQueryAtMs = nil
        refund.notBeforeMs = nil
        try RefundNotices.failed(db, refund, at: nowMs)
    }

    /// SENT → ABNORMAL (WeChat): the money sits at the provider undelivered; a person decides.
    static func abnormal(
        _ db: some SQLSession,
        _ refund: inout RefundPaymentRecord,
        reason: String,
        context: PaymentStore.Context,
        at nowMs: Int64
    ) throws {
        try Ledger.post(
            db,
            refundID: refund.refundID,
            movement: "abnormal",
            postings: netPostings(
                refund,
                debit: Ledger.clearing(refund.method),
                credit: Ledger.abnormal(refund.method)
            ),
            memo: reason,
            at: nowMs
        )
        refund.state = .abnormal
        refund.failureReason = RefundPaymentRecord.Resolution.abnormalPrefix + reason
        refund.nextQueryAtMs = nil
        try RefundNotices.alert(
            db,
            refund,
            kind: "abnormal",
            message: "refund \(refund.refundID) (\(refund.providerRefundNo)) is ABNORMAL at the provider: \(reason)."
                + " Resolve it with ResolveRefund RETRY_ORIGINAL or TO_BALANCE (R-C8)",
            context: context,
            userState: .moneySent,
            at: nowMs
        )
    }

    /// ARRIVED → REVERSED: the money came back to our settlement; the refund is owed again.
    static func reverse(
        _ db: some SQLSession,
        _ refund: inout RefundPaymentRecord,
        reason: String,
        context: PaymentStore.Context,
        at nowMs: Int64
    ) throws {
        try Ledger.post(
            db,
            refundID: refund.refundID,
            movement: "reversed",
            postings: [
                .init(Ledger.settlement(refund.method), refund.netFen), .init(Ledger.feeIncome, refund.feeFen),
                .init(Ledger.refundsPayable, -refund.amountFen),
            ],
            memo: reason,
            at: nowMs
        )
        refund.state = .reversed
        refund.failureReason = RefundPaymentRecord.Resolution.reversedPrefix + reason
        refund.resolution = nil
        refund.nextQueryAtMs = nil
        try RefundNotices.alert(
            db,
            refund,
            kind: "reversed",
            message: "the provider reversed refund \(refund.refundID) (\(refund.providerRefundNo)) after success:"
                + " \(reason). The money is back; credit the balance with ResolveRefund TO_BALANCE (R-C8)",
            context: context,
            userState: .moneyReversed,
            at: nowMs
        )
    }

    /// FAILED → ARRIVED: the provider paid after we recorded a failure; the books follow the money.
    static func lateSuccess(
        _ db: some SQLSession,
        _ refund: inout RefundPaymentRecord,
        providerAtMs: Int64,
        context: PaymentStore.Context,
        at nowMs: Int64
    ) throws {
        try Ledger.post(
            db,
            refundID: refund.refundID,
            movement: "late-success",
            postings: lateSuccessPostings(refund),
            at: nowMs
        )
        let earlier = refund.failureReason ?? ""
        refund.state = .arrived
        refund.arrivedAtMs = providerAtMs > 0 ? providerAtMs : nowMs
        try RefundNotices.moneyArrived(db, refund, at: nowMs)
        try RefundNotices.alert(
            db,
            refund,
            kind: "late-success",
            message: "the provider paid refund \(refund.refundID) after we had recorded it FAILED (\(earlier));"
                + " recorded as ARRIVED. Check that no other refund replaced it (R-C8)",
            context: context,
            userState: nil,
            at: nowMs
        )
    }

    /// A success for a refund an operator already credited to the balance: the user was paid twice.
    static func paidTwice(
        _ db: some SQLSession,
        _ refund: RefundPaymentRecord,
        context: PaymentStore.Context,
        at nowMs: Int64
    ) throws {
        try Ledger.post(
            db,
            refundID: refund.refundID,
            movement: "paid-twice",
            postings: netPostings(refund, debit: Ledger.overpaidRefunds, credit: Ledger.settlement(refund.method)),
            at: nowMs
        )
        try RefundNotices.alert(
            db,
            refund,
            kind: "paid-twice",
            message: "the provider paid refund \(refund.refundID) (\(refund.providerRefundNo)) that was already"
                + " credited to the balance: \(RefundText.money(refund.netFen)) to recover (R-C5)",
            context: context,
            userState: nil,
            at: nowMs
        )
    }

    /// Credits the user's balance with the refund's full amount (R-C2: no fee on the balance).
    static func creditBalance(
        _ db: some SQLSession,
        _ refund: RefundPaymentRecord,
        fromAccount: String,
        extra: [Ledger.Posting] = [],
        movement: String,
        memo: String = "",
        at nowMs: Int64
    ) throws {
        let debit = refund.amountFen - extra.reduce(0) { $0 + $1.amountFen }
        try Ledger.post(
            db,
            refundID: refund.refundID,
            movement: movement,
            postings: [.init(fromAccount, debit)] + extra + [
                .init(Ledger.userBalance(refund.userID), -refund.amountFen)
            ],
            memo: memo,
            at: nowMs
        )
    }

    /// Writes every mutable column of `refund`.
    static func save(_ db: some SQLSession, _ refund: RefundPaymentRecord) throws {
        try db.run(
            """
            UPDATE refund_payments SET state = ?, destination = ?, sent_at_ms = ?, arrived_at_ms = ?,
                expected_arrival_ms = ?, failure_reason = ?, resolution = ?, next_query_at_ms = ?,
                query_interval_ms = ?, not_before_ms = ?, escalated_at_ms = ?, submitting_until_ms = ?
            WHERE refund_id = ?
            """,
            [
                Int(refund.state.rawValue), Int(refund.destination.rawValue), refund.sentAtMs, refund.arrivedAtMs,
                refund.expectedArrivalMs, refund.failureReason, refund.resolution, refund.nextQueryAtMs,
                refund.queryIntervalMs, refund.notBeforeMs, refund.escalatedAtMs, refund.submittingUntilMs,
                refund.refundID,
            ]
        )
    }
}
