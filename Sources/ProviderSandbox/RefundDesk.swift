import Logging
import RefundMeshHosting
import ServiceLifecycle

/// The provider-neutral half of a refund request: applies the scripted or random
/// ``Behaviour``, the provider's limits (R-C7), records the refund exactly once per refund number
/// (R-C5, R-C6), and stalls or notifies before answering when told to (R-C9). Each provider's
/// route parses and verifies its own wire shape, calls ``submit(_:)`` and words the answer.
struct RefundDesk: Sendable {
    /// What the route answers.
    enum Answer: Sendable {
        /// A refund: the new one, or the one the refund number already had (`isNew` false).
        case refund(ProviderRefund, isNew: Bool)
        /// A scripted or random failure: answer this provider error code; nothing was recorded.
        case failed(code: String)
        /// WeChat's per-merchant limit (R-C7): answer 429 FREQUENCY_LIMITED; nothing was recorded.
        case merchantRateLimited
        /// The request broke a rule of the trade.
        case refused(RefundRefusal)
    }

    let store: SandboxStore
    let engine: BehaviourEngine
    let configuration: SandboxConfiguration
    let limiter: MerchantRateLimiter
    let logger: Logger
    let now: @Sendable () -> Int64

    init(
        store: SandboxStore,
        engine: BehaviourEngine,
        configuration: SandboxConfiguration,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        self.store = store
        self.engine = engine
        self.configuration = configuration
        self.limiter = MerchantRateLimiter(requestsPerSecond: configuration.limits.wechatMerchantRPS)
        self.logger = logger
        self.now = now
    }

    /// Handles one refund request end to end, returning what the route answers.
    func submit(_ submission: RefundSubmission) async throws -> Answer {
        if submission.provider == .wechat, !limiter.admit(submission.merchant) {
            try await store.count(.rateLimited)
            return .merchantRateLimited
        }
        let behaviour = engine.behaviour(
            for: RequestFacts(
                provider: submission.provider,
                refundNo: submission.refundNo,
                tradeNo: submission.tradeNo
            )
        )
        try await pause(behaviour.latencyMs)
        if let code = behaviour.fail {
            try await store.count(.failedAnswers)
            return .failed(code: code)
        }
        let result = try await store.submit(
            submission,
            plan: plan(for: submission.provider, behaviour),
            limits: limits(for: submission.provider),
            defaultTotalFen: configuration.requireRegisteredTrades ? nil : configuration.defaultTradeTotalFen,
            now: now()
        )
        let answer: Answer
        switch result {
        case .refused(let refusal):
            return .refused(refusal)
        case .existing(let refund):
            answer = .refund(refund, isNew: false)
        case .accepted(let refund, let notifications):
            answer = .refund(refund, isNew: true)
            logger.debug(
                "refund accepted",
                metadata: [
                    "sandbox.provider": "\(refund.provider.rawValue)", "refund.no": "\(refund.refundNo)",
                    "refund.amount_fen": "\(refund.amountFen)", "refund.final_state": "\(refund.finalState.rawValue)",
                ]
            )
            if behaviour.notifyBeforeAnswer == true, !notifications.isEmpty {
                try await waitUntilDelivered(notifications)
            }
        }
        if behaviour.timeoutAfterCommit == true {
            // R-C6: the money is recorded (and moves on schedule); the client must not learn it
            // from this answer. It comes after the client gave up, or never if we shut down first.
            try await store.count(.timeoutsAfterCommit)
            await stall()
        }
        return answer
    }

    /// The behaviour for a non-refund request (operator, SMS), with its latency already waited.
    func behaviour(for facts: RequestFacts) async throws -> Behaviour {
        let behaviour = engine.behaviour(for: facts)
        try await pause(behaviour.latencyMs)
        return behaviour
    }

    /// Waits longer than any client (``SandboxConfiguration/stall``), or until graceful shutdown.
    func stall() async {
        let duration = configuration.stall
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }

    private func pause(_ milliseconds: Int?) async throws {
        guard let milliseconds, milliseconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(milliseconds))
    }

    /// How a newly accepted refund plays out.
    func plan(for provider: ProviderKind, _ behaviour: Behaviour) -> RefundPlan {
        let finalState: RefundState =
            switch behaviour.status {
            case "ABNORMAL": .abnormal
            case "CLOSED": .closed
            default: .success
            }
        let settleAfter: Int64
        if behaviour.notifyBeforeAnswer == true {
            settleAfter = 0
        } else if let scripted = behaviour.settleAfterMs {
            settleAfter = Int64(scripted)
        } else {
            switch provider {
            case .alipay:
                // alipay.trade.refund is synchronous: fund_change Y means the money moved now.
                let deferred = behaviour.fundChange == "N" || finalState != .success
                settleAfter = deferred ? configuration.walletSettle.milliseconds : 0
            case .bank:
                // R-C3: 3-5 working days, in sandbox working days.
                settleAfter = configuration.bankWorkingDay.milliseconds * Int64(engine.integer(in: 3...5))
            default:
                settleAfter = configuration.walletSettle.milliseconds
            }
        }
        return RefundPlan(
            finalState: finalState,
            settleAfterMs: max(0, settleAfter),
            reverseAfterMs: behaviour.reverseAfterMs.map(Int64.init),
            duplicateNotifications: max(0, behaviour.duplicateNotifications ?? 0),
            outOfOrder: behaviour.outOfOrder ?? false
        )
    }

    /// The provider's per-trade limits (R-C7).
    func limits(for provider: ProviderKind) -> TradeLimits {
        let limits = configuration.limits
        switch provider {
        case .wechat:
            return TradeLimits(
                minimumInterval: limits.wechatOrderInterval,
                maximumRefunds: limits.wechatMaxRefundsPerOrder,
                windowDays: limits.wechatRefundWindowDays
            )
        case .alipay:
            return TradeLimits(minimumInterval: limits.alipayTradeInterval)
        default:
            return TradeLimits()
        }
    }

    private func waitUntilDelivered(_ eventIDs: [String]) async throws {
        let deadline = ContinuousClock.now + configuration.notifications.beforeAnswerWait
        while ContinuousClock.now < deadline {
            if try await store.delivered(eventIDs) { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        logger.notice(
            "notify_before_answer: the notification was not delivered in time; answering anyway",
            metadata: ["outbox.event_ids": "\(eventIDs.joined(separator: ","))"]
        )
    }
}
