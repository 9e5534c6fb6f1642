import Logging
import RefundMeshAPI
import ServiceLifecycle

/// Brings every refund payment in flight to a final state (R-C6).
///
/// A swift-service-lifecycle `Service`: every ``Configuration/pollInterval`` it submits PENDING
/// refunds that were not sent (a crash between commit and submission, a provider that did not
/// answer) under their fixed refund number, and queries SENT ones until the provider says they
/// arrived (→ ARRIVED, MONEY_ARRIVED) or failed (→ FAILED). A refund still processing after its
/// expected arrival is logged as stuck for a person to look at.
public struct RefundSettler: Service {
    public struct Configuration: Sendable {
        /// Time between passes. Default 100 ms.
        public var pollInterval: Duration
        /// A PENDING refund younger than this is left to the call that created it. Default 1 s.
        public var pendingGrace: Duration
        /// Refunds looked at per pass. Default 100.
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

    /// One pass over the refunds in flight; returns how many changed state.
    @discardableResult
    public func settleOnce() async throws -> Int {
        let nowMs = payer.now()
        let cutoff = nowMs - configuration.pendingGrace.wholeMilliseconds
        let refunds = try await payer.payments.inFlight(pendingBefore: cutoff, limit: configuration.batchSize)
        var changed = 0
        for refund in refunds {
            let after: RefundPaymentRecord
            do {
                after = try await settle(refund)
            } catch {
                logger.notice(
                    "could not settle refund; will retry",
                    metadata: ["refund.id": "\(refund.refundID)", "error": "\(error)"]
                )
                continue
            }
            if after.state != refund.state { changed += 1 }
        }
        return changed
    }

    private func settle(_ refund: RefundPaymentRecord) async throws -> RefundPaymentRecord {
        let payments = payer.payments
        switch refund.state {
        case .pending:
            return try await payer.submit(refund)
        case .sent:
            let status: ChannelRefundStatus
            do {
                status = try await payer.adapter.query(refundNo: refund.providerRefundNo)
            } catch {
                try await payments.recordAttemptError(refund.refundID, error: "\(error)")
                return refund
            }
            switch status {
            case .succeeded:
                return try await payments.markArrived(refund.refundID, at: payer.now()) ?? refund
            case .failed(let reason):
                return try await payments.markFailed(refund.refundID, reason: reason, at: payer.now()) ?? refund
            case .notFound:
                // Our SENT record is ahead of the provider's (R-C9): submit again, same number.
                let answer = try await payer.adapter.submit(
                    refundNo: refund.providerRefundNo,
                    amountFen: refund.netFen,
                    payment: try await payments.payment(orderID: refund.orderID, paymentID: refund.paymentID)
                )
                if case .failed(let reason) = answer {
                    return try await payments.markFailed(refund.refundID, reason: reason, at: payer.now()) ?? refund
                }
                return refund
            case .processing:
                if payer.now() > refund.expectedArrivalMs {
                    logger.warning(
                        "refund is past its expected arrival and still processing at the provider (R-C6)",
                        metadata: [
                            "refund.id": "\(refund.refundID)", "refund.provider_no": "\(refund.providerRefundNo)",
                        ]
                    )
                }
                return refund
            }
        default:
            return refund
        }
    }
}
