import NIOCore

/// One call in progress on a server connection. Confined to the connection's event loop.
final class ServerCall {
    let id: UInt64
    let handler: RPCMethodHandler
    /// The handler's task; cancelled on CANCEL, deadline or connection loss.
    var task: Task<Void, Never>?
    /// Request messages for streaming calls; nil on the unary fast path.
    var inbound: InboundMessages?
    /// Request messages the client may still send before it needs a WINDOW frame from us.
    var inboundWindowRemaining: UInt32
    /// Response messages we may still send before the client grants more.
    var window: OutboundWindow
    var deadlineTimer: Scheduled<Void>?
    /// A response message whose handler waits for the channel to become writable again.
    var awaitingWritability: OutboundWindow.ParkedWrite?
    /// Set once the call has been answered or abandoned; later results are dropped.
    var finished = false

    init(id: UInt64, handler: RPCMethodHandler, inboundWindow: UInt32, outboundWindow: UInt32) {
        self.id = id
        self.handler = handler
        self.inboundWindowRemaining = inboundWindow
        self.window = OutboundWindow(credits: outboundWindow)
    }

    /// Resumes a handler waiting for writability with `error`: the call has ended.
    func failWriteAwaitingWritability(_ error: any Error) {
        guard let write = awaitingWritability else { return }
        awaitingWritability = nil
        write.continuation.resume(throwing: error)
    }
}
