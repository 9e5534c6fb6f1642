import Synchronization

/// Fans a "something committed" wake-up out to any number of `AsyncStream` subscribers.
///
/// Each subscriber's stream buffers at most one element, so a burst of commits costs a busy
/// subscriber one wake-up, and `notify()` never blocks the writer queue that calls it.
final class CommitSignal: Sendable {
    private struct State {
        var nextID: UInt64 = 0
        var subscribers: [UInt64: AsyncStream<Void>.Continuation] = [:]
        var finished = false
    }

    private let state = Mutex(State())

    /// A new subscription; it ends when `finish()` is called or the stream is dropped.
    func subscribe() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id: UInt64? = state.withLock { state in
            guard !state.finished else { return nil }
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Wakes every subscriber.
    func notify() {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            subscriber.yield()
        }
    }

    /// Ends every subscription, now and for later subscribers.
    func finish() {
        let subscribers = state.withLock { state in
            state.finished = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers {
            subscriber.finish()
        }
    }
}
