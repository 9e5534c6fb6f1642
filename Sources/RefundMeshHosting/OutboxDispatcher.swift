import GRDB
import Logging
import RefundMeshRPC
import RefundMeshStore
import RefundMeshTracing
import RefundMeshWire

/// Delivers outbox messages as RPC calls to peer services.
///
/// A message's `destination` names the peer ("intake", "review", "payment-channel",
/// "notification") and its `kind` the method path (`/refundmesh.intake.v1.Intake/ApplyStatus`);
/// its payload is the encoded request. Every such method is idempotent on an id carried in the
/// request, so delivering twice is harmless; delivery is retried by the relay until the peer
/// answers OK.
public struct OutboxDispatcher: Sendable {
    private let peers: [String: RPCClient]
    private let timeout: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - peers: a client per destination name.
    ///   - timeout: the deadline of each delivery call (a hung peer must not block the relay).
    public init(peers: [String: RPCClient], timeout: Duration = .seconds(10), logger: Logger) {
        self.peers = peers
        self.timeout = timeout
        self.logger = logger
    }

    /// The relay's delivery function.
    public func deliver(_ message: OutboxMessage) async throws {
        guard let client = peers[message.destination] else {
            throw RPCError(
                code: .failedPrecondition,
                message: "no peer configured for destination \(message.destination)"
            )
        }
        let method = try Self.method(forPath: message.kind)
        do {
            _ = try await client.performUnary(
                method,
                requestBytes: message.payload,
                options: CallOptions(timeout: timeout)
            )
        } catch let error as RPCError {
            logger.notice(
                "outbox delivery failed; will retry",
                metadata: [
                    "outbox.event_id": "\(message.eventID)", "outbox.destination": "\(message.destination)",
                    "rpc.method": "\(message.kind)", "error": "\(error)", "outbox.attempts": "\(message.attempts + 1)",
                ]
            )
            throw error
        }
    }

    static func method(forPath path: String) throws -> MethodDescriptor {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            throw RPCError(code: .invalidArgument, message: "outbox kind \"\(path)\" is not a method path")
        }
        return MethodDescriptor(
            service: String(parts[0]),
            method: String(parts[1]),
            kind: .unary,
            isIdempotent: true,
            requestType: "",
            responseType: ""
        )
    }
}

extension OutboxDispatcher {
    /// Enqueues `request` for `method` on `destination` in the caller's transaction, on either engine
    /// (``RefundMeshStore/SQLSession``).
    /// - Parameters:
    ///   - eventID: the id the receiver deduplicates on; the outbox stores it once.
    ///   - orderingKey: what the message is about (a refund's id): messages with one key reach
    ///     the destination in enqueue order, others side by side (``OutboxRelay``).
    ///   - traceID: the trace to deliver it under; by default the current task's.
    public static func enqueue<Request: ProtoMessage>(
        _ db: some SQLSession,
        eventID: String,
        destination: String,
        method: MethodDescriptor,
        request: Request,
        orderingKey: String?,
        traceID: String? = TraceID.current
    ) throws {
        try Outbox.enqueue(
            db,
            eventID: eventID,
            destination: destination,
            kind: method.path,
            payload: try request.serializedBytes(),
            orderingKey: orderingKey,
            traceID: traceID
        )
    }
}
