import Logging
import RefundMeshAPI

/// Sends due deliveries through their channels and records every attempt (R-N3).
///
/// One ``runRound()`` takes the deliveries whose time has come, sends up to `concurrency` at a
/// time, and records each report in its own transaction (``DeliveryStore/record(_:for:at:policy:random:)``).
/// The executable runs rounds with a `PeriodicTask`; tests call ``runRound()`` themselves with an
/// injected clock. Rounds do not overlap, so a delivery is never sent twice at the same time. A
/// crash between a send and its record sends it again later: at least once, and each channel
/// carries the event id so receivers show it once.
public struct DeliveryWorker: Sendable {
    public let deliveries: DeliveryStore
    public let channels: [any DeliveryChannel]
    public let policy: DeliveryStore.Policy
    public let concurrency: Int
    public let logger: Logger
    /// The clock, in Unix milliseconds.
    public let now: @Sendable () -> Int64
    /// Picks the jitter in 0…1 (tests fix it).
    public let random: @Sendable () -> Double

    public init(
        deliveries: DeliveryStore,
        channels: [any DeliveryChannel],
        policy: DeliveryStore.Policy,
        concurrency: Int = 8,
        logger: Logger,
        now: @escaping @Sendable () -> Int64,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.deliveries = deliveries
        self.channels = channels
        self.policy = policy
        self.concurrency = max(1, concurrency)
        self.logger = logger
        self.now = now
        self.random = random
    }

    /// Sends what is due now. Returns how many deliveries were attempted.
    @discardableResult
    public func runRound() async throws -> Int {
        let due = try await deliveries.due(at: now(), limit: concurrency * 8)
        guard !due.isEmpty else { return 0 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = due[...]
            func startNext() {
                guard let next = pending.popFirst() else { return }
                group.addTask { try await self.deliver(next) }
            }
            for _ in 0..<concurrency { startNext() }
            while try await group.next() != nil { startNext() }
        }
        return due.count
    }

    private func deliver(_ notification: OutgoingNotification) async throws {
        let report: DeliveryReport
        if let channel = channels.first(where: { $0.kind == notification.channel }) {
            report = await channel.send(notification)
        } else {
            report = .failed(error: Self.channelOff(notification.channel), permanent: true)
        }
        let state = try await deliveries.record(
            report,
            for: notification.deliveryID,
            at: now(),
            policy: policy,
            random: random()
        )
        let metadata: Logger.Metadata = [
            "delivery.id": "\(notification.deliveryID)", "delivery.attempt": "\(notification.attempt)",
            "delivery.status": "\(report.statusCode)",
        ]
        switch state {
        case .delivered?:
            logger.debug("notification delivered", metadata: metadata)
        case .dead?:
            logger.warning(
                "notification moved to dead letters",
                metadata: metadata.merging(["error": "\(report.error)"]) { $1 }
            )
        default:
            logger.info(
                "notification delivery failed; retrying later",
                metadata: metadata.merging(["error": "\(report.error)"]) { $1 }
            )
        }
    }

    /// Why a delivery for a channel this process did not configure fails.
    static func channelOff(_ channel: Delivery.Channel) -> String {
        switch channel {
        case .email: "the e-mail channel is off: set NOTIFY_SMTP_HOST, then retry the dead letter"
        case .sms: "the SMS channel is off: set NOTIFY_SMS_BASE_URL, NOTIFY_SMS_ACCOUNT and NOTIFY_SMS_SECRET_FILE"
        default: "no channel sends \(DeliveryStore.channelName(channel)) deliveries in this process"
        }
    }
}
