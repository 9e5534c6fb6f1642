import Foundation
import Logging
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshRPC
import RefundMeshStore

/// `refundmesh.intake.v1.Intake`: the user-facing front. Every state change and the messages it
/// causes (to review and notification) are one transaction; intake's outbox relay delivers them.
public struct IntakeHandler: Intake.ServiceProtocol {
    public let store: any ServiceDatabase
    public let policy: RefundPolicy
    /// payment-channel, asked how an order was paid (for the refund method, fee and arrival of a
    /// pre-check, R-A6, and for duplicate charges). Nil in tests that do without.
    public let payments: PaymentChannel.Client?
    public let feed: RefundFeed
    public let now: @Sendable () -> Int64

    public init(
        store: any ServiceDatabase,
        policy: RefundPolicy,
        payments: PaymentChannel.Client?,
        feed: RefundFeed = RefundFeed(),
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        self.store = store
        self.policy = policy
        self.payments = payments
        self.feed = feed
        self.now = now
    }

    // MARK: Platform feed and policy

    public func recordOrder(_ request: RecordOrderRequest, context: ServerContext) async throws -> Ack {
        guard let order = request.order else {
            throw RPCError(code: .invalidArgument, message: "order is required")
        }
        let nowMs = now()
        try IntakeValidation.validate(order, now: nowMs)
        do {
            let isNew = try await store.write { db in try IntakeStore.recordOrder(db, order, nowMs: nowMs) }
            return Ack(firstTime: isNew)
        } catch let conflict as OrderConflict {
            // Idempotent on order_id: the same facts again are fine, other facts under a known id
            // are refused naming the fields (not their stored values).
            throw RPCError(
                code: .alreadyExists,
                message: "order \(conflict.orderID) is already recorded with a different "
                    + conflict.differences.joined(separator: ", ") + "; order facts cannot change"
            )
        }
    }

    public func getPolicy(_ request: GetPolicyRequest, context: ServerContext) async throws -> Policy {
        policy.published(locale: RefundLocale(tag: request.locale))
    }

    // MARK: Pre-check (R-A6)

    public func preCheck(_ request: PreCheckRequest, context: ServerContext) async throws -> PreCheckResponse {
        try IntakeValidation.validate(request)
        let order = try await ownedOrder(request.orderID, userID: request.userID)
        let paid = await capturedPayments(of: order.orderID, context: context)
        let locale = RefundLocale(tag: request.locale)
        let result = EligibilityCheck(policy: policy).evaluate(
            order: order,
            ground: request.ground,
            destination: request.destination == .unspecified ? .original : request.destination,
            paidWith: paid.first?.method ?? .unspecified,
            materials: request.materials,
            reasonStatement: request.reasonStatement,
            now: now()
        )
        return PreCheckResponse(
            eligible: result.isEligible,
            rule: result.reason.rule.rawValue,
            reason: result.reason.message(locale),
            missingMaterials: result.missingMaterials,
            deadlineMs: result.deadlineMs,
            expectedAmountFen: result.expectedAmountFen,
            proRated: result.isProRated,
            destination: result.destination,
            refundMethod: result.refundMethod,
            feeFen: result.feeFen,
            expectedArrivalMs: result.expectedArrivalMs,
            arrivalDescription: result.arrivalDescription.text(locale),
            balanceWithdrawable: result.balanceWithdrawable
        )
    }

    // MARK: Reading

    public func listRefunds(_ request: ListRefundsRequest, context: ServerContext) async throws -> ListRefundsResponse {
        try IntakeValidation.requireUser(request.userID)
        let limit = request.limit == 0 ? 50 : min(Int(request.limit), 500)
        let views = try await store.read { db in
            try RefundRecord.fetchAll(db, userID: request.userID, limit: limit).map { try $0.view(db) }
        }
        return ListRefundsResponse(refunds: views)
    }

    public func getRefund(_ request: GetRefundRequest, context: ServerContext) async throws -> RefundView {
        try await ownedRefundView(request.refundID, userID: request.userID)
    }

    public func watchRefund(
        _ request: GetRefundRequest,
        responses: MessageWriter<RefundView>,
        context: ServerContext
    ) async throws {
        try IntakeValidation.requireUser(request.userID, refundID: request.refundID)
        // Subscribe before the first read, so no change falls between them.
        let changes = feed.subscribe(refundID: request.refundID)
        var view = try await ownedRefundView(request.refundID, userID: request.userID)
        try await responses.write(view)
        for await next in changes {
            if view.state.isFinal { return }
            // A change committed before the first read can still be published after it.
            guard next.timeline.count > view.timeline.count else { continue }
            view = next
            try await responses.write(view)
            if view.state.isFinal { return }
        }
    }

    // MARK: Helpers

    /// The user's order. Another user's order is answered exactly like an unknown one (NOT_FOUND,
    /// same words), so a caller cannot learn which order ids exist or whose they are.
    func ownedOrder(_ orderID: String, userID: String) async throws -> Order {
        var check = InputCheck()
        check.identifier(userID, "user_id")
        check.identifier(orderID, "order_id")
        try IntakeValidation.enforce(check, "the request")
        return try Self.owned(
            try await store.read({ db in try IntakeStore.order(db, id: orderID) }),
            orderID: orderID,
            userID: userID
        )
    }

    /// `order` when it is the user's; another user's is answered exactly like an unknown one.
    static func owned(_ order: Order?, orderID: String, userID: String) throws -> Order {
        guard let order, order.userID == userID else {
            throw RPCError(
                code: .notFound,
                message: "order \(orderID) of user \(userID) is not known to intake; the platform records orders"
                    + " with RecordOrder"
            )
        }
        return order
    }

    /// The user's refund; another user's is answered exactly like an unknown one (NOT_FOUND).
    func ownedRefundView(_ refundID: String, userID: String) async throws -> RefundView {
        try IntakeValidation.requireUser(userID, refundID: refundID)
        let view = try await store.read { db -> RefundView? in
            try RefundRecord.fetch(db, id: refundID)?.view(db)
        }
        guard let view, view.userID == userID else { throw Self.unknownRefund(refundID, userID: userID) }
        return view
    }

    static func unknownRefund(_ refundID: String, userID: String) -> RPCError {
        RPCError(code: .notFound, message: "refund \(refundID) of user \(userID) does not exist")
    }

    /// The order's captured payments from payment-channel; empty when it cannot be asked (the
    /// pre-check then quotes the slowest arrival and the fee, never better than the outcome).
    func capturedPayments(of orderID: String, context: ServerContext) async -> [CapturedPayment] {
        await readPayments(of: orderID, context: context) ?? []
    }

    /// The order's captured payments from payment-channel, or nil when they cannot be read (no
    /// payment-channel configured, or it did not answer in time).
    func readPayments(of orderID: String, context: ServerContext) async -> [CapturedPayment]? {
        guard let payments else { return nil }
        do {
            return try await payments.listPayments(
                ListPaymentsRequest(orderID: orderID),
                options: CallOptions(timeout: .seconds(2))
            ).payments
        } catch {
            context.logger.notice("payment-channel unavailable for a quote", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
