import Logging
import RefundMeshAPI
import ServiceLifecycle

/// Brings every refund payment in flight to a final state (R-C6), as a swift-service-lifecycle
/// `Service`.
///
/// Every ``Configuration/pollInterval`` it:
/// 1. submits PENDING refunds whose turn has come (throttled or rate limited ones at their
///    not-before time, R-C7; ones a crash left behind after ``Configuration/pendingGrace``),
///    always under their fixed refund number;
/// 2. queries SENT refunds whose `next_query_at_ms` is due — about a minute after sending, then
///    ×2 up to a maximum (``PaymentChannelConfiguration``); the schedule is stored, so a restart
///    continues it, and notifications bring it forward or make it unnecessary;
/// 3. escalates, once, refunds still not final past their expected arrival plus a grace.
public struct RefundSettler: Service {
    public struct Configuration: Sendable {
        /// Time between passes. Default 100 ms.
        public var pollInterval: Duration
        /// A PENDING refund younger than this is left to the call that created it. Default 1 s.
        public var pendingGrace: Duration
        /// Refunds looked at per pass and kind. Default 100.
        public var batchSize: Int

        public init(
            pollInterval: Duration = .milliseconds(100),
            pendingGrace: Duration = .seconds(1),
            batchSize: Int = 100
        ) {
            self.pollInterval = pollInterval
            self.pendingGrace = pendingGrace
            self.batchSize = max(1, batchSize)
        }
    }

    public let payer: RefundPayer
    public let configuration: Configuration
    private let logger: Logger

    public init(payer: RefundPayer, configuration: Configuration = Configuration(), logger: Logger) {
        self.payer = payer
        self.configuration = configuration
        self.logger = logger
    }

    /// Settles until graceful shutdown (after the pass under way) or cancellation.
    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                _ = try await settleOnce()
            } catch {
                logger.warning("settling refunds failed; will try again", metadata: ["error": "\(error)"])
            }
            do {
                try await Task.sleep(for: configuration.pollInterval)
            } catch {
                return
            }
        }
    }

    /// One pass: due submissions, due queries, stuck escalations. Returns how many refunds changed
    /// state (escalations count as a change).
    @discardableResult
    public func settleOnce() async throws -> Int {
        let payments = payer.payments
        let nowMs = payer.now()
        let cutoff = nowMs - configuration.pendingGrace.wholeMilliseconds
        var changed = 0
        for refund in try await payments.dueSubmissions(
            pendingBefore: cutoff,
            at: nowMs,
            limit: configuration.batchSize
        ) {
            changed += try await attempt(refund) { try await payer.submit(refund) }
        }
        for refund in try await payments.dueQueries(at: payer.now(), limit: configuration.batchSize) {
            changed += try await attempt(refund) { try await payer.query(refund) }
        }
        for refund in try await payments.stuckRefunds(at: payer.now(), limit: configuration.batchSize) {
            if try await payments.escalateStuck(refund.refundID, at: payer.now()) {
                logger.warning(
                    "refund is past its expected arrival and not final; escalated (R-C6)",
                    metadata: ["refund.id": "\(refund.refundID)", "refund.provider_no": "\(refund.providerRefundNo)"]
                )
                changed += 1
            }
        }
        return changed
    }

    private func attempt(
        _ refund: RefundPaymentRecord,
        _ body: () async throws -> RefundPaymentRecord
    ) async throws -> Int {
        do {
            return try await body().state != refund.state ? 1 : 0
        } catch {
            logger.notice(
                "could not settle refund; will retry",
                metadata: ["refund.id": "\(refund.refundID)", "error": "\(error)"]
            )
            return 0
        }
    }
}
