import Logging
import ServiceLifecycle

/// A background job run every `interval` until graceful shutdown: one round, then a sleep that a
/// shutdown cuts short. A round that throws is logged and the next one runs as planned.
public struct PeriodicTask: Service {
    /// Names the job in logs, e.g. "retrying waiting cases".
    public let name: String
    public let interval: Duration
    /// Whether the first round runs at start rather than after one interval.
    public let runsAtStart: Bool
    public let logger: Logger
    let round: @Sendable () async throws -> Void

    public init(
        _ name: String,
        every interval: Duration,
        runsAtStart: Bool = false,
        logger: Logger,
        round: @escaping @Sendable () async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.runsAtStart = runsAtStart
        self.logger = logger
        self.round = round
    }

    public func run() async throws {
        var first = true
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if !(first && runsAtStart) {
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
                } catch {
                    return
                }
            }
            first = false
            do {
                try await round()
            } catch {
                logger.notice("\(name) failed; next round later", metadata: ["error": "\(error)"])
            }
        }
    }
}
