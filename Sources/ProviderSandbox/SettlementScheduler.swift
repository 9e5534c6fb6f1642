import Logging
import RefundMeshHosting
import ServiceLifecycle

/// Moves accepted refunds to their final state when their time comes (PROCESSING → SUCCESS,
/// CLOSED or ABNORMAL; the bank's 3-5 working days, R-C3) and carries out scripted reversals
/// (R-C8). Each change is one transaction with the notifications it causes. Because due times
/// are stored, a restart settles what came due while the sandbox was down.
public struct SettlementScheduler: Service {
    private let task: PeriodicTask

    /// - Parameters:
    ///   - store: The sandbox's records.
    ///   - tick: How often due refunds are looked for.
    ///   - logger: Where settlement rounds that fail are logged.
    ///   - now: The sandbox's clock (Unix milliseconds).
    public init(
        store: SandboxStore,
        tick: Duration,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        task = PeriodicTask("settling due refunds", every: tick, runsAtStart: true, logger: logger) {
            let changed = try await store.settleDue(now: now())
            if changed > 0 { logger.debug("settled refunds", metadata: ["sandbox.settled": "\(changed)"]) }
        }
    }

    public func run() async throws {
        try await task.run()
    }
}
