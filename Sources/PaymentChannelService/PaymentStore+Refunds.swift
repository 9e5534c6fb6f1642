import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshStore
import RefundMeshTracing

extension PaymentStore {
    /// The outcome of ``begin(_:at:)``: the refund payment and whether this call created it.
    public struct Begun: Sendable {
        public var refund: RefundPaymentRecord
        public var created: Bool
    }

    /// Creates the refund payment for `request`, or returns the one that exists (R-C5).
    ///
    /// One write transaction does all of it, so concurrent calls with the same refund id are
    /// serialized and only the first inserts: it checks that the payment's refunds stay within its
    /// captured amount, computes the terms (``RefundTerms``), fixes the provider refund number
    /// (R-C6) and stores the refund as PENDING. A balance refund is credited to the ledger in the
    /// same transaction and stored as ARRIVED, with its MONEY_SENT and MONEY_ARRIVED messages.
    /// - Throws: ``PaymentChannelError``: `.invalid` for a malformed request, `.notFound` without
    ///   a payment, `.refused` for the R-C5 cap or a retry that changes the amount or destination.
    public func begin(_ request: ExecuteRefundRequest, at nowMs: Int64) async throws -> Begun {
        try Self.validate(request)
        let policy = self.policy
        let settings = self.settings
        return try await store.write { db in
            let destination: Destination = request.destination == .balance ? .balance : .original
            if let existing = try Self.refund(db, id: request.refundID) {
                try Self.checkRetry(existing, matches: request, destination: destination)
                return Begun(refund: existing, created: false)
            }
            let payment = try Self.choosePayment(db, orderID: request.orderID, paymentID: request.paymentID)
            if !request.userID.isEmpty, request.userID != payment.userID {
                // Another user's payment is not named, nor its payer: the same words as a payment
                // that does not exist would be a lie, so say only that it is not this user's.
                throw PaymentChannelError.refused(
                    "payment \(payment.paymentID) was not made by user \(request.userID); money goes back to whoever"
                        + " paid (R-C1)"
                )
            }
            // R-C5: never more than was captured, across all refunds of this payment. Failed
            // refunds moved no money and do not count.
            let refunded = try Self.refundedFen(db, paymentID: payment.paymentID)
            if !RefundCeiling.allows(request.amountFen, capturedFen: payment.amountFen, refundedFen: refunded) {
                throw PaymentChannelError.refused(
                    "would refund \(request.amountFen) fen of a \(payment.amountFen) fen payment that already has"
                        + " \(refunded) fen refunded (R-C5); at most"
                        + " \(RefundCeiling.remainingFen(capturedFen: payment.amountFen, refundedFen: refunded)) fen remain"
                )
            }
            let terms = try RefundTerms(
                payment: payment,
                amountFen: request.amountFen,
                destination: destination,
                platformFault: request.platformFault,
                sentAtMs: nowMs,
                policy: policy
            )
            if terms.method == .wechatPay {
                try Self.checkWeChatLimits(db, payment: payment, settings: settings, at: nowMs)
            }
            var refund = RefundPaymentRecord(
                refundID: request.refundID,
                paymentID: payment.paymentID,
                orderID: payment.orderID,
                userID: payment.userID,
                method: terms.method,
                destination: terms.destination,
                amountFen: terms.amountFen,
                feeFen: terms.feeFen,
                netFen: terms.netFen,
                platformFault: request.platformFault,
                state: .pending,
                providerRefundNo: ProviderRefundNumber.make(refundID: request.refundID),
                createdAtMs: nowMs,
                sentAtMs: nil,
                arrivedAtMs: nil,
                expectedArrivalMs: terms.expectedArrivalMs,
                failureReason: nil,
                attempts: 0
            )
            // The balance is our own ledger: crediting it is the payment, so it happens here, in
            // the transaction that creates the refund, and it arrives at once (R-C3).
            try Self.insert(db, refund)
            try RefundMovements.begin(db, &refund, at: nowMs)
            if refund.state == .arrived {
                try RefundMovements.save(db, refund)
                try RefundNotices.moneySent(db, refund, at: nowMs)
                try RefundNotices.moneyArrived(db, refund, at: nowMs)
            }
            return Begun(refund: refund, created: true)
        }
    }

    /// The refund payment for `refundID`, if any.
    public func refund(id refundID: String) async throws -> RefundPaymentRecord? {
        try await store.read { db in try Self.refund(db, id: refundID) }
    }

    // MARK: Inside a transaction

    static func refund(_ db: some SQLSession, id refundID: String) throws -> RefundPaymentRecord? {
        try db.row("SELECT * FROM refund_payments WHERE refund_id = ?", [refundID]).map(RefundPaymentRecord.init(row:))
    }

    private static func insert(_ db: some SQLSession, _ refund: RefundPaymentRecord) throws {
        try db.run(
            """
            INSERT INTO refund_payments
                (refund_id, payment_id, order_id, user_id, method, destination, amount_fen, fee_fen, net_fen,
                 platform_fault, state, provider_refund_no, created_at_ms, sent_at_ms, arrived_at_ms,
                 expected_arrival_ms, failure_reason, attempts, trace_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                refund.refundID, refund.paymentID, refund.orderID, refund.userID, Int(refund.method.rawValue),
                Int(refund.destination.rawValue), refund.amountFen, refund.feeFen, refund.netFen, refund.platformFault,
                Int(refund.state.rawValue), refund.providerRefundNo, refund.createdAtMs, refund.sentAtMs,
                refund.arrivedAtMs, refund.expectedArrivalMs, refund.failureReason, refund.attempts,
                TraceID.validated(TraceID.current),
            ]
        )
    }

    /// R-C7: WeChat Pay takes at most 50 refunds per trade and none 365 days after payment;
    /// asking anyway would only be refused, so we refuse first, saying what a person can do.
    static func checkWeChatLimits(
        _ db: some SQLSession,
        payment: CapturedPayment,
        settings: PaymentChannelConfiguration,
        at nowMs: Int64
    ) throws {
        let count =
            try db.value(
                Int.self,
                "SELECT COUNT(*) FROM refund_payments WHERE payment_id = ? AND method = ?",
                [payment.paymentID, Int(PaymentMethod.wechatPay.rawValue)]
            ) ?? 0
        if count >= settings.wechatMaxRefundsPerOrder {
            throw PaymentChannelError.refused(
                "payment \(payment.paymentID) already has \(count) WeChat Pay refunds; WeChat Pay accepts at most"
                    + " \(settings.wechatMaxRefundsPerOrder) per order (R-C7): refund the rest to the platform balance"
                    + " (destination BALANCE) or in fewer, larger refunds"
            )
        }
        let windowMs = Int64(settings.wechatRefundWindowDays) * 86_400_000
        if payment.capturedAtMs > 0, nowMs - payment.capturedAtMs > windowMs {
            throw PaymentChannelError.refused(
                "payment \(payment.paymentID) was captured more than \(settings.wechatRefundWindowDays) days ago;"
                    + " WeChat Pay no longer accepts refunds for it (R-C7): refund to the platform balance"
                    + " (destination BALANCE) instead"
            )
        }
    }

    /// R-C5: a retry must ask for the same refund; one that changes it is a different refund and
    /// needs its own refund id.
    private static func checkRetry(
        _ existing: RefundPaymentRecord,
        matches request: ExecuteRefundRequest,
        destination: Destination
    ) throws {
        var differences: [String] = []
        if existing.amountFen != request.amountFen {
            differences.append("amount_fen \(existing.amountFen) (asked \(request.amountFen))")
        }
        if existing.destination != destination {
            differences.append("destination \(existing.destination) (asked \(destination))")
        }
        if !request.paymentID.isEmpty, existing.paymentID != request.paymentID {
            differences.append("payment_id \(existing.paymentID) (asked \(request.paymentID))")
        }
        if !request.orderID.isEmpty, existing.orderID != request.orderID {
            differences.append("order_id \(existing.orderID) (asked \(request.orderID))")
        }
        if !request.userID.isEmpty, existing.userID != request.userID {
            differences.append("another user_id")
        }
        if existing.platformFault != request.platformFault {
            differences.append("platform_fault \(existing.platformFault) (asked \(request.platformFault))")
        }
        if !differences.isEmpty {
            throw PaymentChannelError.refused(
                "refund \(existing.refundID) was already executed with \(differences.joined(separator: ", "));"
                    + " a refund id is executed once (R-C5): use a new refund id for a different refund"
            )
        }
    }

    static func validate(_ request: ExecuteRefundRequest) throws(PaymentChannelError) {
        var missing: [String] = []
        if request.refundID.isEmpty { missing.append("refund_id") }
        if request.orderID.isEmpty && request.paymentID.isEmpty { missing.append("order_id or payment_id") }
        if !missing.isEmpty {
            throw .invalid("ExecuteRefund needs \(missing.joined(separator: ", "))")
        }
        guard request.amountFen > 0 else {
            throw .invalid("amount_fen must be positive (fen); got \(request.amountFen)")
        }
    }
}
