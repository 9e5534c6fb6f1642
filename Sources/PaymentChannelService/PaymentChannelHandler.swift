import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshRPC

/// `refundmesh.payment.v1.PaymentChannel`: records captured payments, quotes refunds and pays
/// them back the way the money came (R-C1), exactly once per refund id (R-C5), through a
/// ``ChannelAdapter`` per channel (``ChannelAdapters``) and the ledger for the platform balance.
/// The operators' RPCs (ledger, trial balance, reconciliation, alerts, resolution) are in
/// `PaymentChannelHandler+Operations.swift`.
public struct PaymentChannelHandler: PaymentChannel.ServiceProtocol {
    public let payments: PaymentStore
    public let payer: RefundPayer
    /// The clock, in Unix milliseconds (tests may fix it).
    public let now: @Sendable () -> Int64

    public init(
        payments: PaymentStore,
        payer: RefundPayer,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        self.payments = payments
        self.payer = payer
        self.now = now
    }

    var policy: RefundPolicy { payments.policy }

    public func recordPayment(_ request: CapturedPayment, context: ServerContext) async throws -> Ack {
        try Self.validate(request, now: now())
        return try await Self.mapping {
            Ack(firstTime: try await payments.record(request))
        }
    }

    public func listPayments(
        _ request: ListPaymentsRequest,
        context: ServerContext
    ) async throws
        -> ListPaymentsResponse
    {
        try Self.require(request.orderID, "order_id")
        return ListPaymentsResponse(payments: try await payments.payments(orderID: request.orderID))
    }

    public func quote(_ request: QuoteRequest, context: ServerContext) async throws -> RefundQuote {
        try Self.validate(request)
        return try await Self.mapping {
            let payment = try await payments.payment(orderID: request.orderID, paymentID: request.paymentID)
            let refunded = try await payments.refundedFen(paymentID: payment.paymentID)
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
                destination: request.destination,
                platformFault: request.platformFault,
                sentAtMs: now(),
                policy: policy
            )
            try await payments.checkChannelLimits(payment: payment, method: terms.method, at: now())
            return RefundQuote(
                method: terms.method,
                destination: terms.destination,
                amountFen: terms.amountFen,
                feeFen: terms.feeFen,
                netAmountFen: terms.netFen,
                expectedArrivalMs: terms.expectedArrivalMs,
                arrivalDescription: policy.arrival(for: terms.method).text.zhCN,
                balanceWithdrawable: policy.balanceWithdrawable
            )
        }
    }

    public func executeRefund(_ request: ExecuteRefundRequest, context: ServerContext) async throws -> RefundPayment {
        try Self.validate(request)
        return try await Self.mapping {
            let begun = try await payments.begin(request, at: now())
            context.logger.info(
                begun.created ? "refund payment created" : "refund payment already exists (R-C5)",
                metadata: [
                    "refund.id": "\(request.refundID)", "refund.state": "\(begun.refund.state)",
                    "refund.provider_no": "\(begun.refund.providerRefundNo)",
                ]
            )
            guard begun.created, begun.refund.state == .pending else { return begun.refund.message }
            // PENDING is committed; the provider is called outside the transaction (R-C6).
            return try await payer.submit(begun.refund).message
        }
    }

    public func getRefundPayment(
        _ request: GetRefundPaymentRequest,
        context: ServerContext
    ) async throws
        -> RefundPayment
    {
        try Self.require(request.refundID, "refund_id")
        guard let refund = try await payments.refund(id: request.refundID) else {
            throw RPCError(
                code: .notFound,
                message: "no refund payment for refund \(request.refundID); review executes approved refunds"
            )
        }
        return refund.message
    }

    public func getBalance(_ request: GetBalanceRequest, context: ServerContext) async throws -> Balance {
        try Self.require(request.userID, "user_id")
        // R-C4: whether the balance can be withdrawn is stated with it.
        return Balance(
            userID: request.userID,
            availableFen: try await payments.balance(userID: request.userID),
            withdrawable: policy.balanceWithdrawable
        )
    }

    /// Runs `body`, answering a ``PaymentChannelError`` with its status (one code each).
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PaymentChannelError {
            throw RPCError(code: statusCode(for: error.code), message: error.message, cause: error)
        }
    }

    static func statusCode(for code: PaymentChannelError.Code) -> StatusCode {
        switch code {
        case .invalid: .invalidArgument
        case .notFound: .notFound
        case .conflictingPayment: .alreadyExists
        default: .failedPrecondition
        }
    }
}
