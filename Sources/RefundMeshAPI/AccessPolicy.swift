import RefundMeshAuth
import RefundMeshRPC

/// Who may call each RefundMesh method: least privilege, one line per method. docs/SECURITY.md
/// prints the same table, and `AccessPolicyTests` checks the two agree and walks every line
/// against the running services.
///
/// Where `user` is admitted, a user acts only for themself: the handler calls
/// ``Caller/requireActing(forUser:)`` with the request's `user_id`.
public enum AccessPolicy {
    /// The rule of every method of every RefundMesh service.
    public static let refundMesh: AuthorizationPolicy = {
        var policy = AuthorizationPolicy()
        func allow(_ method: MethodDescriptor, _ rule: MethodRule) { policy[method.path] = rule }
        func allow(_ method: MethodDescriptor, _ roles: Role...) { policy[method.path] = .roles(Set(roles)) }

        // Every service: probes need no token; discovery needs one; operations are operators'.
        allow(Health.Method.check, .anyone)
        allow(Health.Method.watch, .anyone)
        allow(ServerReflection.Method.listServices, .anyCaller)
        for method in Operations.descriptor.methods { allow(method, .operator) }

        // intake: the platform feeds orders; users ask for refunds; review and payment-channel
        // report status (R-A…, R-N1).
        allow(Intake.Method.recordOrder, .platform)
        allow(Intake.Method.getPolicy, .anyCaller)
        allow(Intake.Method.preCheck, .user)
        allow(Intake.Method.submitRefund, .user)
        allow(Intake.Method.withdrawRefund, .user)
        allow(Intake.Method.supplyMaterials, .user)
        allow(Intake.Method.answerOffer, .user)
        allow(Intake.Method.listRefunds, .user, .reviewer, .operator)
        allow(Intake.Method.getRefund, .user, .reviewer, .operator)
        allow(Intake.Method.watchRefund, .user, .operator)
        allow(Intake.Method.applyStatus, .review, .paymentChannel)
        allow(Intake.Method.applyStatusBatch, .review, .paymentChannel)

        // review: intake opens and feeds cases; the platform reports fulfilment; reviewers work
        // the queue (R-R1…R-R4); the evidence chain is for operators (auditors).
        allow(Review.Method.recordFulfillment, .platform)
        allow(Review.Method.openCase, .intake)
        allow(Review.Method.addMaterials, .intake)
        allow(Review.Method.recordOfferAnswer, .intake)
        allow(Review.Method.withdrawCase, .intake)
        allow(Review.Method.getCase, .intake, .reviewer, .operator)
        allow(Review.Method.listQueue, .reviewer)
        allow(Review.Method.claimCase, .reviewer)
        allow(Review.Method.releaseCase, .reviewer)
        allow(Review.Method.getCaseDetail, .reviewer)
        allow(Review.Method.decideCase, .reviewer)
        allow(Review.Method.listOverdue, .reviewer, .operator)
        allow(Review.Method.getEvidenceHead, .operator)
        allow(Review.Method.createCheckpoint, .operator)
        allow(Review.Method.streamEvidence, .operator)
        allow(Review.Method.listCheckpoints, .operator)
        allow(Review.Method.exportCaseEvidence, .operator)

        // payment-channel: money moves only on review's word (R-C…); the platform feeds
        // captured payments; users see their own balance; the books are operators'.
        allow(PaymentChannel.Method.recordPayment, .platform)
        allow(PaymentChannel.Method.listPayments, .intake, .review, .operator)
        allow(PaymentChannel.Method.quote, .intake, .review, .reviewer, .operator)
        allow(PaymentChannel.Method.executeRefund, .review)
        allow(PaymentChannel.Method.getRefundPayment, .review, .operator)
        allow(PaymentChannel.Method.getBalance, .user, .operator)
        allow(PaymentChannel.Method.getRefundLedger, .operator)
        allow(PaymentChannel.Method.trialBalance, .operator)
        allow(PaymentChannel.Method.reconcileDay, .operator)
        allow(PaymentChannel.Method.listAlerts, .operator)
        allow(PaymentChannel.Method.resolveRefund, .operator)

        // notification: the services publish events (R-N…); users read their own inbox and
        // set their own preferences; deliveries and dead letters are operators'.
        allow(Notification.Method.publish, .intake, .review, .paymentChannel)
        allow(Notification.Method.publishBatch, .intake, .review, .paymentChannel)
        allow(Notification.Method.listInbox, .user)
        allow(Notification.Method.markRead, .user)
        allow(Notification.Method.watchInbox, .user)
        allow(Notification.Method.setPreferences, .user)
        allow(Notification.Method.getPreferences, .user)
        allow(Notification.Method.listDeliveries, .operator)
        allow(Notification.Method.listDeadLetters, .operator)
        allow(Notification.Method.retryDeadLetter, .operator)
        return policy
    }()

    /// Every service descriptor the policy covers, for tests and docs.
    public static let services: [ServiceDescriptor] = [
        Intake.descriptor, Review.descriptor, PaymentChannel.descriptor, Notification.descriptor,
        Operations.descriptor, Health.descriptor, ServerReflection.descriptor,
    ]
}
