import RefundMeshStore
import Synchronization

/// The deliveries of one method to one peer, gathered into batch calls while calls are out.
///
/// A relay delivers each ordering key's messages one at a time and many keys side by side, so
/// under load many deliveries of the same method reach the dispatcher at once. A lane lets up to
/// ``callsInFlight`` calls go out; a delivery that arrives while they are all out waits in the
/// lane's queue, and when a call comes back, the queued deliveries leave together as the next
/// call (up to ``maximumBatch``). One of the waiting deliveries makes that call on its own task
/// and hands the others their results; none waits for more company, so a lone delivery goes out
/// at once, as a single call (docs/PROTOCOL.md, "Batches").
///
/// Ordering per key is the relay's: it never hands over a key's next message before the last
/// one's delivery has returned, so one key never has two messages in a lane.
final class DeliveryLane: Sendable {
    /// A delivery waiting for its turn, and how to tell it the outcome.
    struct Waiter: Sendable {
        var message: OutboxMessage
        var turn: CheckedContinuation<Turn, Never>
    }

    /// What a waiting delivery is told when it is its turn.
    enum Turn: Sendable {
        /// Another delivery made the call; this is this message's outcome.
        case done(Result<Void, any Error>)
        /// Make the call for these deliveries (this one first) and hand the others their
        /// outcomes.
        case lead([Waiter])
    }

    /// How many calls of this lane may be out at once.
    let callsInFlight: Int
    /// The most deliveries one call carries.
    let maximumBatch: Int

    private struct State {
        var inFlight = 0
        var queue: [Waiter] = []
        /// Until when the peer is sent single calls only (it answered a batch UNIMPLEMENTED).
        var batchesRefusedUntil: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    init(callsInFlight: Int, maximumBatch: Int) {
        self.callsInFlight = max(1, callsInFlight)
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Waits for `message`'s turn: either someone else delivered it (`.done`), or this caller
    /// makes the next call (`.lead`, with itself first) and must call ``finish(_:)`` after it.
    func arrive(_ message: OutboxMessage) async -> Turn {
        await withCheckedContinuation { continuation in
            let waiter = Waiter(message: message, turn: continuation)
            let leads = state.withLock { state in
                guard state.inFlight < callsInFlight else {
                    state.queue.append(waiter)
                    return false
                }
                state.inFlight += 1
                return true
            }
            if leads { continuation.resume(returning: .lead([waiter])) }
        }
    }

    /// How many deliveries wait for a call (for tests and gauges).
    var queued: Int { state.withLock { $0.queue.count } }

    /// Whether calls of several deliveries go out as a batch now.
    var acceptsBatches: Bool {
        state.withLock { state in state.batchesRefusedUntil.map { ContinuousClock.now >= $0 } ?? true }
    }

    /// Sends single calls only for `duration`.
    func refuseBatches(for duration: Duration) {
        state.withLock { state in state.batchesRefusedUntil = .now + duration }
    }

    /// Ends a call: hands the queued deliveries, if any, to the first of them as the next call
    /// (the call slot passes on), then tells `outcomes`' other waiters theirs.
    /// - Parameter outcomes: the call's deliveries (its leader first) with their outcomes.
    func finish(_ outcomes: [(Waiter, Result<Void, any Error>)]) {
        let next: [Waiter]? = state.withLock { state in
            guard !state.queue.isEmpty else {
                state.inFlight -= 1
                return nil
            }
            let count = min(maximumBatch, state.queue.count)
            let batch = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            return batch
        }
        if let next, let leader = next.first { leader.turn.resume(returning: .lead(next)) }
        for (waiter, outcome) in outcomes.dropFirst() { waiter.turn.resume(returning: .done(outcome)) }
    }
}
