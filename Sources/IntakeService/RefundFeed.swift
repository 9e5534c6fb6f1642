import RefundMeshAPI
import Synchronization

/// Tells the watchers of a refund (WatchRefund) that it changed, in this process.
public final class RefundFeed: Sendable {
    private struct Watchers {
        var next = 0
        var byRefund: [String: [Int: AsyncStream<Void>.Continuation]] = [:]
    }

    private let watchers = Mutex(Watchers())

    public init() {}

    /// A stream that yields after every change of `refundID` (coalesced: a slow reader sees the
    /// latest state, not every intermediate one).
    func subscribe(refundID: String) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = watchers.withLock { state in
            defer { state.next += 1 }
            state.byRefund[refundID, default: [:]][state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            self?.watchers.withLock { state in
                state.byRefund[refundID]?[id] = nil
                if state.byRefund[refundID]?.isEmpty == true { state.byRefund[refundID] = nil }
            }
        }
        return stream
    }

    func changed(_ refundID: String) {
        let targets = watchers.withLock { Array(($0.byRefund[refundID] ?? [:]).values) }
        for target in targets { target.yield() }
    }
}
