import CoreMetrics
import GRDB
import Logging
import RefundMeshAPI
import RefundMeshRPC
import RefundMeshStore
import RefundMeshTracing
import RefundMeshWire
import Synchronization

/// Delivers outbox messages as RPC calls to peer services.
///
/// A message's `destination` names the peer ("intake", "review", "payment-channel",
/// "notification") and its `kind` the method path (`/refundmesh.intake.v1.Intake/ApplyStatus`);
/// its payload is the encoded request. Every such method is idempotent on an id carried in the
/// request, so delivering twice is harmless; delivery is retried by the relay until the peer
/// answers OK.
///
/// **Batches.** Methods with a batch form (``standardBatchMethods``: ApplyStatus and Publish)
/// travel together: ``deliverMany(_:)``, which ``OutboxRelay`` calls with the messages of a
/// round that can go at once (one per ordering key), sends each peer's messages of such a method
/// as one batch call, which the peer applies in one write (docs/PROTOCOL.md, "Batches"). Each
/// item's result is its message's: one refused item fails only its own delivery. A peer that
/// answers UNIMPLEMENTED to a batch (one from before batches) gets single calls for a minute
/// before a batch is tried again.
public struct OutboxDispatcher: Sendable {
    /// The batch method of each single method that has one, by the single method's path.
    public static let standardBatchMethods: [String: MethodDescriptor] = [
        Intake.Method.applyStatus.path: Intake.Method.applyStatusBatch,
        Notification.Method.publish.path: Notification.Method.publishBatch,
    ]

    /// The most items a batch call carries (the receivers accept up to 256).
    public static let maximumBatch = 128

    /// The most calls one ``deliverMany(_:)`` has out at once (the relay's default in-flight limit).
    public static let maximumCallsAtOnce = 64

    private let peers: [String: RPCClient]
    private let timeout: Duration
    private let logger: Logger
    private let batchMethods: [String: MethodDescriptor]
    private let refusals = BatchRefusals()

    /// - Parameters:
    ///   - peers: a client per destination name.
    ///   - timeout: the deadline of each delivery call (a hung peer must not block the relay).
    ///   - batchMethods: the batch method of each single method path that has one; empty to
    ///     send every message on its own.
    public init(
        peers: [String: RPCClient],
        timeout: Duration = .seconds(10),
        logger: Logger,
        batchMethods: [String: MethodDescriptor] = Self.standardBatchMethods
    ) {
        self.peers = peers
        self.timeout = timeout
        self.logger = logger
        self.batchMethods = batchMethods
    }

    /// The relay's delivery function for one message.
    public func deliver(_ message: OutboxMessage) async throws {
        try await deliverOne(message, to: try client(for: message.destination))
    }

    /// The relay's delivery function for messages that may go at once (no two of one ordering
    /// key): those of a batchable method to one peer as batch calls of up to ``maximumBatch``,
    /// the others as single calls, all side by side. Returns each message's outcome, in order.
    public func deliverMany(_ messages: [OutboxMessage]) async -> [Result<Void, any Error>] {
        var groups: [GroupKey: [Int]] = [:]
        var singles: [Int] = []
        for (index, message) in messages.enumerated() {
            if batchMethods[message.kind] != nil {
                groups[GroupKey(destination: message.destination, kind: message.kind), default: []].append(index)
            } else {
                singles.append(index)
            }
        }
        var calls: [[Int]] = singles.map { [$0] }
        for indices in groups.values {
            guard indices.count > 1 else {
                calls.append(indices)
                continue
            }
            var start = 0
            while start < indices.count {
                calls.append(Array(indices[start..<min(start + Self.maximumBatch, indices.count)]))
                start += Self.maximumBatch
            }
        }
        return await withTaskGroup(of: [(Int, Result<Void, any Error>)].self) { group in
            var pending = calls[...]
            func startNext() {
                guard let call = pending.popFirst() else { return }
                group.addTask {
                    let outcomes = await deliverCall(call.map { messages[$0] })
                    return Array(zip(call, outcomes))
                }
            }
            for _ in 0..<min(Self.maximumCallsAtOnce, calls.count) { startNext() }
            var outcomes = [Result<Void, any Error>](repeating: .success(()), count: messages.count)
            for await results in group {
                for (index, outcome) in results { outcomes[index] = outcome }
                startNext()
            }
            return outcomes
        }
    }

    private struct GroupKey: Hashable {
        var destination: String
        var kind: String
    }

    private func client(for destination: String) throws -> RPCClient {
        guard let client = peers[destination] else {
            throw RPCError(code: .failedPrecondition, message: "no peer configured for destination \(destination)")
        }
        return client
    }

    /// Delivers one call's messages (one message, or several of one batchable method to one peer).
    private func deliverCall(_ messages: [OutboxMessage]) async -> [Result<Void, any Error>] {
        let first = messages[0]
        let client: RPCClient
        do {
            client = try self.client(for: first.destination)
        } catch {
            return Array(repeating: .failure(error), count: messages.count)
        }
        guard messages.count > 1, let method = batchMethods[first.kind],
            refusals.acceptsBatches(first.destination, first.kind)
        else {
            return await deliverEach(messages, to: client)
        }
        return await deliverBatch(messages, method: method, to: client)
    }

    /// Sends one message as its own call.
    private func deliverOne(_ message: OutboxMessage, to client: RPCClient) async throws {
        let method = try Self.method(forPath: message.kind)
        do {
            _ = try await client.performUnary(
                method,
                requestBytes: message.payload,
                options: CallOptions(timeout: timeout)
            )
        } catch let error as RPCError {
            logFailure(message, error)
            throw error
        }
    }

    /// Sends each message as its own call, side by side, each under its own trace.
    private func deliverEach(_ messages: [OutboxMessage], to client: RPCClient) async -> [Result<Void, any Error>] {
        await withTaskGroup(of: (Int, Result<Void, any Error>).self) { group in
            for (index, message) in messages.enumerated() {
                group.addTask {
                    do {
                        try await TraceID.withTrace(message.traceID) { try await deliverOne(message, to: client) }
                        return (index, .success(()))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var outcomes = [Result<Void, any Error>](repeating: .success(()), count: messages.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
    }

    /// Sends `messages` as one call of `method` and returns each item's outcome, in order.
    private func deliverBatch(
        _ messages: [OutboxMessage],
        method: MethodDescriptor,
        to client: RPCClient
    ) async -> [Result<Void, any Error>] {
        let destination = messages[0].destination
        do {
            let reply = try await client.performUnary(
                method,
                requestBytes: Self.batchRequest(messages),
                options: CallOptions(timeout: timeout)
            )
            let ack = try BatchAck(serializedBytes: reply)
            guard ack.items.count == messages.count else {
                throw RPCError(
                    code: .internalError,
                    message: "\(destination) answered \(ack.items.count) results to a batch of \(messages.count)"
                )
            }
            Counter(label: "refundmesh_outbox_batch_calls_total", dimensions: [("destination", destination)])
                .increment()
            Counter(label: "refundmesh_outbox_batched_messages_total", dimensions: [("destination", destination)])
                .increment(by: messages.count)
            return zip(messages, ack.items).map { message, item in
                guard item.code != 0 else { return .success(()) }
                let error = RPCError(code: StatusCode(rawValue: Int32(clamping: item.code)), message: item.message)
                logFailure(message, error)
                return .failure(error)
            }
        } catch let error as RPCError where error.code == .unimplemented {
            // A peer from before batches: single calls for now, a batch again later.
            refusals.refuse(destination, messages[0].kind, for: .seconds(60))
            logger.notice(
                "peer does not take batch calls; delivering one by one",
                metadata: ["outbox.destination": "\(destination)", "rpc.method": "\(method.path)"]
            )
            return await deliverEach(messages, to: client)
        } catch {
            for message in messages { logFailure(message, error) }
            return Array(repeating: .failure(error), count: messages.count)
        }
    }

    private func logFailure(_ message: OutboxMessage, _ error: any Error) {
        logger.notice(
            "outbox delivery failed; will retry",
            metadata: [
                "outbox.event_id": "\(message.eventID)", "outbox.destination": "\(message.destination)",
                "rpc.method": "\(message.kind)", "error": "\(error)", "outbox.attempts": "\(message.attempts + 1)",
            ]
        )
    }

    /// The encoded batch request for `messages`: field 1 repeated, each item a message whose
    /// field 1 is the stored request and field 2 its trace id. Built from the stored bytes as
    /// they are: an embedded message is length-delimited bytes on the wire, so nothing is
    /// decoded and encoded again. Both batch requests (`StatusUpdateBatch`, `RefundEventBatch`)
    /// have this shape.
    static func batchRequest(_ messages: [OutboxMessage]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(messages.reduce(0) { $0 + $1.payload.count + 48 })
        for message in messages {
            let trace = TraceID.validated(message.traceID).map { Array($0.utf8) } ?? []
            var itemLength = 1 + varintSize(message.payload.count) + message.payload.count
            if !trace.isEmpty { itemLength += 1 + varintSize(trace.count) + trace.count }
            bytes.append(0x0A)  // field 1, length-delimited: an item
            appendVarint(itemLength, to: &bytes)
            bytes.append(0x0A)  // the item's field 1: the request
            appendVarint(message.payload.count, to: &bytes)
            bytes.append(contentsOf: message.payload)
            if !trace.isEmpty {
                bytes.append(0x12)  // the item's field 2: the trace id
                appendVarint(trace.count, to: &bytes)
                bytes.append(contentsOf: trace)
            }
        }
        return bytes
    }

    private static func varintSize(_ value: Int) -> Int {
        var value = UInt64(value)
        var size = 1
        while value >= 0x80 {
            value >>= 7
            size += 1
        }
        return size
    }

    private static func appendVarint(_ value: Int, to bytes: inout [UInt8]) {
        var value = UInt64(value)
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
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

/// The peers and methods that answered a batch with UNIMPLEMENTED, and until when they get single
/// calls instead.
private final class BatchRefusals: Sendable {
    private let until = Mutex<[String: ContinuousClock.Instant]>([:])

    func acceptsBatches(_ destination: String, _ kind: String) -> Bool {
        until.withLock { until in until[destination + " " + kind].map { ContinuousClock.now >= $0 } ?? true }
    }

    func refuse(_ destination: String, _ kind: String, for duration: Duration) {
        until.withLock { until in until[destination + " " + kind] = .now + duration }
    }
}
