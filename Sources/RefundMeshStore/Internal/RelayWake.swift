import Synchronization

/// Why an ``OutboxRelay``'s scheduling loop woke up.
enum RelayWake: Sendable {
    /// First pass after start: look for anything left pending (e.g. by a crash).
    case start
    /// A transaction that enqueued messages committed in this process.
    case commit
    /// A destination's worker stopped (nothing due, blocked on failed messages, or turn used
    /// up); `notBefore` is when its earliest blocked message is due, if one is.
    case drained(String, notBefore: ContinuousClock.Instant?)
    /// A retry or poll timer fired; stale timers (a sooner one was armed since) are ignored.
    case timer(Int)
    /// Graceful shutdown began.
    case shutdown
}

/// A flag that lets a burst of commit notifications become one pending ``RelayWake/commit``.
final class RelayWakeFlag: Sendable {
    private let raised = Mutex(false)

    /// Raises the flag; true if it was down (so the caller should send a wake-up).
    func raise() -> Bool {
        raised.withLock { raised in
            defer { raised = true }
            return !raised
        }
    }

    /// Lowers the flag once the wake-up it stood for is being handled.
    func lower() {
        raised.withLock { $0 = false }
    }
}
