import NIOCore
import Synchronization

/// The buffered inbound messages of one call, shared between the connection's event loop
/// (which appends) and the task reading the stream.
///
/// Flow control: the sender may have at most `window` messages outstanding. As the reader takes
/// messages, credits accumulate and are handed to `grant` once half a window has been consumed,
/// which sends a WINDOW frame.
package final class InboundMessages: Sendable {
    private struct State {
        var buffer: CircularBuffer<[UInt8]> = CircularBuffer(initialCapacity: 4)
        var end: Result<Void, RPCError>?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
        var consumedSinceGrant: UInt32 = 0
        var cancelled = false
    }

    private let state = Mutex(State())
    private let window: UInt32
    private let grant: @Sendable (UInt32) -> Void

    /// - Parameters:
    ///   - window: the window the sender was given; credits are granted in halves of it.
    ///   - grant: called (from the reading task) with credits to return to the sender.
    package init(window: UInt32, grant: @escaping @Sendable (UInt32) -> Void) {
        self.window = max(window, 1)
        self.grant = grant
    }

    /// A message arrived.
    package func receive(_ message: [UInt8]) {
        let waiter: CheckedContinuation<[UInt8]?, any Error>? = state.withLock { state in
            if state.end != nil || state.cancelled { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                state.consumedSinceGrant += 1
                return waiter
            }
            state.buffer.append(message)
            return nil
        }
        if let waiter {
            waiter.resume(returning: message)
            grantIfDue()
        }
    }

    /// The sender finished (nil) or the call failed.
    package func finish(_ error: RPCError? = nil) {
        let waiter: CheckedContinuation<[UInt8]?, any Error>? = state.withLock { state in
            if state.end == nil { state.end = error.map { .failure($0) } ?? .success(()) }
            defer { state.waiter = nil }
            return state.waiter
        }
        guard let waiter else { return }
        if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
    }

    /// Messages waiting to be read (for tests and limits).
    package var bufferedCount: Int { state.withLock { $0.buffer.count } }

    /// The next message, nil at the end of the stream.
    package func next() async throws -> [UInt8]? {
        if let ready = takeReady() {
            grantIfDue()
            return try ready.get()
        }
        return try await withTaskCancellationHandler {
            let message: [UInt8]? = try await withCheckedThrowingContinuation { continuation in
                let immediate: Result<[UInt8]?, any Error>? = state.withLock { state in
                    if state.cancelled { return .failure(CancellationError()) }
                    if let first = state.buffer.popFirst() {
                        state.consumedSinceGrant += 1
                        return .success(first)
                    }
                    if let end = state.end {
                        switch end {
                        case .success: return .success(nil)
                        case .failure(let error): return .failure(error)
                        }
                    }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
            grantIfDue()
            return message
        } onCancel: {
            let waiter = state.withLock { state in
                state.cancelled = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func takeReady() -> Result<[UInt8]?, any Error>? {
        state.withLock { state in
            if let first = state.buffer.popFirst() {
                state.consumedSinceGrant += 1
                return .success(first)
            }
            if let end = state.end {
                switch end {
                case .success: return .success(nil)
                case .failure(let error): return .failure(error)
                }
            }
            return nil
        }
    }

    private func grantIfDue() {
        let credits: UInt32 = state.withLock { state in
            guard state.end == nil, state.consumedSinceGrant >= (window + 1) / 2 else { return 0 }
            defer { state.consumedSinceGrant = 0 }
            return state.consumedSinceGrant
        }
        if credits > 0 { grant(credits) }
    }
}
