import RefundMeshAPI
import Synchronization

/// Hands new inbox items to the users watching their inbox (WatchInbox), in this process.
public final class InboxFeed: Sendable {
    private struct Watchers {
        var next = 0
        var byUser: [String: [Int: AsyncStream<InboxItem>.Continuation]] = [:]
    }

    private let watchers = Mutex(Watchers())

    public init() {}

    /// A stream of the user's new items; it ends when the caller stops iterating.
    public func subscribe(userID: String) -> AsyncStream<InboxItem> {
        let (stream, continuation) = AsyncStream<InboxItem>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = watchers.withLock { state in
            defer { state.next += 1 }
            state.byUser[userID, default: [:]][state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            self?.watchers.withLock { state in
                state.byUser[userID]?[id] = nil
                if state.byUser[userID]?.isEmpty == true { state.byUser[userID] = nil }
            }
        }
        return stream
    }

    /// Tells the user's watchers about a new item.
    public func publish(_ item: InboxItem, to userID: String) {
        let targets = watchers.withLock { Array(($0.byUser[userID] ?? [:]).values) }
        for target in targets { target.yield(item) }
    }

    /// How many streams are open (for tests and metrics).
    public var watcherCount: Int { watchers.withLock { $0.byUser.values.reduce(0) { $0 + $1.count } } }
}
