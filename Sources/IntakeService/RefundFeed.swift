import RefundMeshAPI
import Synchronization

/// Hands each change of a refund, as the view its write committed, to the watchers of that
/// refund (WatchRefund), in this process.
///
/// The writes that change a refund build its view in their own transaction, on the writer's
/// connection, whose page cache is warm; a watcher sends that view as it is. (Reading it again
/// per change from a reader cost intake about a seventh of its CPU under load: in WAL mode a
/// reader's page cache starts empty after every commit.)
///
/// Every change appends to the refund's timeline (R-T2), so the timeline's length orders a
/// refund's views. Two writes can commit in one order and publish in the other; the feed keeps
/// only views newer than the last one a watcher was given, so a late publish never replaces a
/// newer view in a watcher's buffer.
public final class RefundFeed: Sendable {
    private struct Watcher {
        var continuation: AsyncStream<RefundView>.Continuation
        /// The timeline length of the last view yielded to it.
        var version: Int
    }

    private struct Watchers {
        var next = 0
        var byRefund: [String: [Int: Watcher]] = [:]
    }

    private let watchers = Mutex(Watchers())

    public init() {}

    /// A stream of `refundID`'s views, newest first-come: a slow reader gets the latest view, not
    /// every intermediate one, and never one older than a view it was already given.
    func subscribe(refundID: String) -> AsyncStream<RefundView> {
        let (stream, continuation) = AsyncStream<RefundView>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = watchers.withLock { state in
            defer { state.next += 1 }
            state.byRefund[refundID, default: [:]][state.next] = Watcher(continuation: continuation, version: 0)
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

    /// Whether anyone watches `refundID` now.
    func isWatched(_ refundID: String) -> Bool { watchers.withLock { $0.byRefund[refundID] != nil } }

    /// How many watchers are subscribed, over all refunds.
    var watcherCount: Int { watchers.withLock { $0.byRefund.values.reduce(0) { $0 + $1.count } } }

    /// Publishes a refund's view as a write committed it.
    func changed(_ view: RefundView) {
        let version = view.timeline.count
        watchers.withLock { state in
            guard var refundWatchers = state.byRefund[view.refundID] else { return }
            for (id, var watcher) in refundWatchers where version > watcher.version {
                watcher.version = version
                refundWatchers[id] = watcher
                // Under the lock, so yields to one watcher happen in version order.
                watcher.continuation.yield(view)
            }
            state.byRefund[view.refundID] = refundWatchers
        }
    }
}
