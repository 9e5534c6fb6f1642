/// A snapshot of the outbox's backlog, for metrics and health checks.
public struct OutboxStats: Sendable, Hashable {
    /// Messages not yet delivered.
    public var pendingCount: Int
    /// Pending messages that have failed at least once.
    public var failingCount: Int
    /// How long the oldest pending message has waited; nil when nothing is pending.
    public var oldestPendingAge: Duration?

    /// Creates a snapshot.
    public init(pendingCount: Int, failingCount: Int, oldestPendingAge: Duration?) {
        self.pendingCount = pendingCount
        self.failingCount = failingCount
        self.oldestPendingAge = oldestPendingAge
    }
}
