import Logging
import RefundMeshHosting
import ServiceLifecycle

/// The in-process sandbox's notifications (R-C9): like a provider calling our notify URL, it
/// tells payment-channel of every refund whose state changed at the sandbox, through the same
/// entry point real notifications use (``PaymentStore/applyProviderStatus(providerRefundNo:status:source:at:)``),
/// and tells again until that succeeds.
public struct SandboxNotifier: Service {
    public let sandbox: SandboxChannelAdapter
    public let payments: PaymentStore
    public let interval: Duration
    private let logger: Logger
    private let now: @Sendable () -> Int64

    public init(
        sandbox: SandboxChannelAdapter,
        payments: PaymentStore,
        interval: Duration = .milliseconds(50),
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        self.sandbox = sandbox
        self.payments = payments
        self.interval = interval
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        let notifier = self
        try await PeriodicTask("sandbox notifications", every: interval, logger: logger) {
            _ = try await notifier.notifyOnce()
        }.run()
    }

    /// Delivers every pending notification once; returns how many were delivered.
    @discardableResult
    public func notifyOnce() async throws -> Int {
        var delivered = 0
        for (number, status) in try await sandbox.pendingNotifications(at: now()) {
            switch try await payments.applyProviderStatus(
                providerRefundNo: number,
                status: status,
                source: .notification,
                at: now()
            ) {
            case .applied:
                try await sandbox.markNotified(refundNo: number, status: status)
                delivered += 1
            case .unknownRefund:
                logger.notice(
                    "sandbox notification for an unknown refund number",
                    metadata: ["refund.provider_no": "\(number)"]
                )
            }
        }
        return delivered
    }
}
