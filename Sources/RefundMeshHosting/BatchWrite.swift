import RefundMeshAPI
import RefundMeshRPC
import RefundMeshStore
import RefundMeshTracing
import RefundMeshWire

/// How a receiver applies a batch call (Intake.ApplyStatusBatch, Notification.PublishBatch): every
/// item in one write, each as its single call would have been applied (docs/PROTOCOL.md,
/// "Batches").
///
/// Each item runs in a savepoint of the write under the trace it was enqueued with. An item its
/// code refuses (an ``RPCError``: not found, a reused event id, …) is rolled back to its
/// savepoint and answered with that error's code and message; the other items go on. Anything
/// else (the store failing) fails the whole write, and so the whole call, which the sender's
/// relay retries.
public enum BatchWrite {
    /// The most items one batch call may carry.
    public static let maximumItems = 256

    /// Refuses a batch with no items or more than ``maximumItems``, naming `field`.
    public static func checkSize(_ count: Int, field: String) throws {
        guard count > 0 else {
            throw RPCError(code: .invalidArgument, message: "\(field) is empty; send at least one item")
        }
        guard count <= maximumItems else {
            throw RPCError(
                code: .invalidArgument,
                message: "\(field) has \(count) items; a batch carries at most \(maximumItems): split it"
            )
        }
    }

    /// Checks each item's request as its single call would: the request (missing: INVALID_ARGUMENT
    /// naming `items[i].<field>`), `validate` (its ``RPCError`` is the item's), and its encoding,
    /// which the receiver stores for replays. Returns what ``apply(_:in:_:)`` takes.
    public static func check<Item, Request: ProtoMessage>(
        _ items: [Item],
        field: String,
        request: (Item) -> Request?,
        traceID: (Item) -> String,
        validate: (Request) throws -> Void
    ) -> [Result<(item: (Request, [UInt8]), traceID: String), RPCError>] {
        items.enumerated().map { index, item in
            Result { () throws(RPCError) -> (item: (Request, [UInt8]), traceID: String) in
                guard let request = request(item) else {
                    throw RPCError(code: .invalidArgument, message: "items[\(index)].\(field) is missing")
                }
                do {
                    try validate(request)
                    return ((request, try request.serializedBytes()), traceID(item))
                } catch let refusal as RPCError {
                    throw refusal
                } catch {
                    throw RPCError(code: .invalidArgument, message: "items[\(index)].\(field): \(error)")
                }
            }
        }
    }

    /// Applies the items that passed their checks in one write of `store` and returns every
    /// item's outcome, in order.
    /// - Parameters:
    ///   - items: each item with its trace id, or the error its checks refused it with (it is
    ///     not applied, and its outcome is that error).
    ///   - apply: applies one item; throws an ``RPCError`` to refuse it.
    public static func apply<Item: Sendable, Outcome: Sendable>(
        _ items: [Result<(item: Item, traceID: String), RPCError>],
        in store: any ServiceDatabase,
        _ apply: @escaping @Sendable (any SQLSession, Item) throws -> Outcome
    ) async throws -> [Result<Outcome, RPCError>] {
        let callTrace = TraceID.current
        return try await store.write { db in
            try items.map { checked in
                switch checked {
                case .failure(let refusal):
                    return .failure(refusal)
                case .success(let (item, traceID)):
                    return try TraceID.$current.withValue(TraceID.validated(traceID) ?? callTrace) {
                        try applyOne(item, in: db, apply)
                    }
                }
            }
        }
    }

    /// The reply for `outcomes`: OK with `firstTime` for an applied item, the error's code and
    /// message for a refused one.
    public static func ack<Outcome>(
        _ outcomes: [Result<Outcome, RPCError>],
        firstTime: (Outcome) -> Bool
    ) -> BatchAck {
        BatchAck(
            items: outcomes.map { outcome in
                switch outcome {
                case .success(let value): ItemAck(code: 0, message: "", firstTime: firstTime(value))
                case .failure(let error):
                    ItemAck(code: UInt32(error.code.rawValue), message: error.message, firstTime: false)
                }
            }
        )
    }

    private static func applyOne<Item, Outcome>(
        _ item: Item,
        in db: any SQLSession,
        _ apply: (any SQLSession, Item) throws -> Outcome
    ) throws -> Result<Outcome, RPCError> {
        _ = try db.run("SAVEPOINT batch_item")
        do {
            let outcome = try apply(db, item)
            _ = try db.run("RELEASE SAVEPOINT batch_item")
            return .success(outcome)
        } catch let refusal as RPCError {
            _ = try db.run("ROLLBACK TO SAVEPOINT batch_item")
            _ = try db.run("RELEASE SAVEPOINT batch_item")
            return .failure(refusal)
        }
        // Any other error (the store failing) leaves the savepoint to the write's own rollback.
    }
}
