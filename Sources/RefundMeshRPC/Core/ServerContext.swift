import Logging
@_exported import RefundMeshTracing

/// What a handler knows about the call it is serving.
public struct ServerContext: Sendable {
    /// The method being called.
    public let method: MethodDescriptor
    /// The request headers.
    public let metadata: Metadata
    /// When the caller stops waiting; nil when it set no deadline. Outgoing calls made while
    /// handling this one inherit it (see ``CallOptions/timeout``).
    public let deadline: ContinuousClock.Instant?
    /// The caller's address, e.g. `127.0.0.1:50412`.
    public let peer: String
    /// The request id from the `x-request-id` header, or one the server made up; it is in every
    /// log line of the call and in the response trailers.
    public let requestID: String
    /// The trace id from the `x-trace-id` header, or a new one: it follows the work into every
    /// outgoing call and outbox message (``TraceID``) and is in every log line of the call.
    public let traceID: String
    /// A logger whose metadata carries `rpc.method` and `request.id`.
    public var logger: Logger

    public init(
        method: MethodDescriptor,
        metadata: Metadata,
        deadline: ContinuousClock.Instant?,
        peer: String,
        requestID: String,
        traceID: String = TraceID.make(),
        logger: Logger
    ) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
        self.requestID = requestID
        self.traceID = traceID
        self.logger = logger
    }

    /// Time left before the deadline (nil without one; zero or negative once passed).
    public var timeRemaining: Duration? {
        deadline.map { ContinuousClock.now.duration(to: $0) }
    }
}
