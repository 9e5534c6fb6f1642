import NIOCore

/// One call in progress on a client connection.
///
/// Created by the calling task, then touched only on the connection's event loop.
final class ClientCall: @unchecked Sendable {
    // @unchecked: after `init` (on the caller's thread, before the call is handed to the event
    // loop with a happens-before edge through EventLoop.execute), every mutable property is read
    // and written only on the connection's event loop.
    enum Completion {
        case unary(CheckedContinuation<[UInt8], any Error>)
        case streaming(InboundMessages)
    }

    let method: MethodDescriptor
    let deadline: NIODeadline?
    var id: UInt64 = 0
    var completion: Completion?
    var started = false
    var finished = false
    /// Request messages we may still send before the server grants more.
    var window = OutboundWindow(credits: 0)
    var deadlineTimer: Scheduled<Void>?

    init(method: MethodDescriptor, deadline: NIODeadline?) {
        self.method = method
        self.deadline = deadline
    }
}

/// Why a call failed before any server could have acted on it: such a call is always safe to
/// retry, idempotent or not. Carried as ``RPCError/cause``.
struct NeverProcessed: Error, Hashable {}

extension RPCError {
    var wasNeverProcessed: Bool { cause is NeverProcessed }

    static func neverProcessed(_ message: String) -> RPCError {
        RPCError(code: .unavailable, message: message, cause: NeverProcessed())
    }
}
