import Foundation
import Logging
import RefundMeshAPI
import RefundMeshRPC
import RefundMeshStore
import RefundMeshTestSupport
import RefundMeshTracing
import Synchronization
import Testing

@testable import RefundMeshHosting

/// ``OutboxDispatcher``'s batches (docs/PROTOCOL.md, "Batches"), against a real RPC server over
/// TCP that plays intake's ApplyStatus and ApplyStatusBatch and records what reaches it.
@Suite("outbox dispatcher batches")
struct OutboxDispatcherTests {
    @Test("deliveries that arrive while a call is out leave together as one batch; a refused item fails alone")
    func queuedDeliveriesLeaveAsOneBatch() async throws {
        let peer = RecordingIntake(servesBatches: true, refusing: ["e-refused"])
        try await withPeer(peer) { dispatcher in
            // The first delivery finds the lane idle and goes out as a single call, which the
            // peer holds until the others are queued behind it.
            let first = Task { try await deliver(message(1, "e-first", trace: "trace-first"), dispatcher) }
            try await eventually { peer.heldCalls == 1 }
            let ids = ["e-2", "e-refused", "e-4", "e-5"]
            let rest = ids.enumerated().map { index, id in
                Task { () -> Result<Void, RPCError> in
                    do {
                        try await deliver(message(Int64(index + 2), id, trace: "trace-\(id)"), dispatcher)
                        return .success(())
                    } catch {
                        return .failure(error as? RPCError ?? RPCError(code: .unknown, message: "\(error)"))
                    }
                }
            }
            try await eventually {
                dispatcher.queuedDeliveries(destination: "intake", kind: Intake.Method.applyStatus.path) == ids.count
            }
            peer.release()
            try await first.value
            var outcomes: [String: Result<Void, RPCError>] = [:]
            for (id, task) in zip(ids, rest) { outcomes[id] = await task.value }

            let log = peer.log
            #expect(log.single.map(\.eventID) == ["e-first"])
            #expect(log.singleTraces == ["trace-first"], "a single call goes under its message's trace")
            #expect(log.batches.count == 1, "the four queued deliveries left as one call")
            #expect(log.batches.first?.map { $0.update?.eventID ?? "" } == ids, "in the order they queued")
            #expect(log.batches.first?.map(\.traceID) == ids.map { "trace-\($0)" }, "each item keeps its trace")
            #expect(log.batches.first?.first?.update?.refundID == "r-2", "the stored request, as it was enqueued")
            for id in ids where id != "e-refused" {
                #expect((try? outcomes[id]?.get()) != nil, "\(id) was applied")
            }
            guard case .failure(let refusal) = outcomes["e-refused"] else {
                Issue.record("the refused item's delivery succeeded")
                return
            }
            #expect(refusal.code == .notFound)
            #expect(refusal.message == "refund r-3 is not known to intake", "the peer's own message")
        }
    }

    @Test("a peer without the batch method gets its queued deliveries as single calls")
    func peerWithoutBatchesGetsSingleCalls() async throws {
        let peer = RecordingIntake(servesBatches: false, refusing: [])
        try await withPeer(peer) { dispatcher in
            let first = Task { try await deliver(message(1, "e-first", trace: "trace-1"), dispatcher) }
            try await eventually { peer.heldCalls == 1 }
            let rest = (2...4).map { index in
                Task { try await deliver(message(Int64(index), "e-\(index)", trace: "trace-\(index)"), dispatcher) }
            }
            try await eventually {
                dispatcher.queuedDeliveries(destination: "intake", kind: Intake.Method.applyStatus.path) == 3
            }
            peer.release()
            try await first.value
            for task in rest { try await task.value }
            let log = peer.log
            #expect(log.batches.isEmpty)
            #expect(Set(log.single.map(\.eventID)) == ["e-first", "e-2", "e-3", "e-4"])
            #expect(Set(log.singleTraces) == ["trace-1", "trace-2", "trace-3", "trace-4"], "each under its own trace")
        }
    }

    @Test("the batch request is the stored requests as they are, each with its trace")
    func batchRequestEncoding() throws {
        let messages = [message(1, "e-1", trace: "t-1"), message(2, "e-2", trace: nil)]
        let batch = try StatusUpdateBatch(serializedBytes: OutboxDispatcher.batchRequest(messages))
        #expect(batch.items.map { $0.update?.eventID ?? "" } == ["e-1", "e-2"])
        #expect(batch.items.map(\.traceID) == ["t-1", ""])
        #expect(batch.items.first?.update == update("e-1", refund: "r-1"))
    }

    /// Delivers as ``OutboxRelay`` does: under the message's trace.
    private func deliver(_ message: OutboxMessage, _ dispatcher: OutboxDispatcher) async throws {
        try await TraceID.withTrace(message.traceID) { try await dispatcher.deliver(message) }
    }

    private func update(_ eventID: String, refund: String) -> StatusUpdate {
        StatusUpdate(eventID: eventID, refundID: refund, state: .moneySent, actor: "payment-channel", amountFen: 1_000)
    }

    private func message(_ id: Int64, _ eventID: String, trace: String?) -> OutboxMessage {
        OutboxMessage(
            id: id,
            eventID: eventID,
            destination: "intake",
            kind: Intake.Method.applyStatus.path,
            payload: try! update(eventID, refund: "r-\(id)").serializedBytes(),
            createdAt: Date(),
            nextAttemptAt: Date(),
            traceID: trace,
            orderingKey: "r-\(id)"
        )
    }

    private func withPeer(
        _ peer: RecordingIntake,
        _ body: (OutboxDispatcher) async throws -> Void
    ) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = RPCServer(services: [peer], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try await server.listeningAddress().port!
            let client = makeTestClient(ports: [port])
            let dispatcher = OutboxDispatcher(peers: ["intake": client], logger: logger, callsInFlightPerMethod: 1)
            do {
                try await body(dispatcher)
            } catch {
                peer.release()
                await client.close()
                server.beginGracefulShutdown()
                throw error
            }
            await client.close()
            server.beginGracefulShutdown()
            try await group.waitForAll()
        }
    }
}

/// Plays intake's ApplyStatus (the first call is held until ``release()``) and, when asked,
/// ApplyStatusBatch, refusing the listed event ids as intake refuses an unknown refund.
private final class RecordingIntake: RPCService, Sendable {
    struct Log {
        var single: [StatusUpdate] = []
        var singleTraces: [String?] = []
        var batches: [[BatchedStatusUpdate]] = []
    }

    let servesBatches: Bool
    let refusing: Set<String>
    private let state = Mutex((log: Log(), held: 0, released: false))
    private let gate = AsyncStream.makeStream(of: Void.self)

    init(servesBatches: Bool, refusing: Set<String>) {
        self.servesBatches = servesBatches
        self.refusing = refusing
    }

    var log: Log { state.withLock { $0.log } }
    var heldCalls: Int { state.withLock { $0.held } }

    func release() {
        state.withLock { $0.released = true }
        gate.continuation.finish()
    }

    var serviceDescriptor: ServiceDescriptor { Intake.descriptor }

    var handlers: [RPCMethodHandler] {
        var handlers: [RPCMethodHandler] = [
            .unary(Intake.Method.applyStatus) { [self] (update: StatusUpdate, _) -> Ack in
                let hold = state.withLock { state in
                    state.log.single.append(update)
                    state.log.singleTraces.append(TraceID.current)
                    guard !state.released, state.held == 0 else { return false }
                    state.held += 1
                    return true
                }
                if hold { for await _ in gate.stream {} }
                return Ack(firstTime: true)
            }
        ]
        if servesBatches {
            handlers.append(
                .unary(Intake.Method.applyStatusBatch) { [self] (batch: StatusUpdateBatch, _) -> BatchAck in
                    state.withLock { $0.log.batches.append(batch.items) }
                    return BatchAck(
                        items: batch.items.map { item in
                            let update = item.update ?? StatusUpdate()
                            guard refusing.contains(update.eventID) else { return ItemAck(firstTime: true) }
                            return ItemAck(
                                code: UInt32(StatusCode.notFound.rawValue),
                                message: "refund \(update.refundID) is not known to intake"
                            )
                        }
                    )
                }
            )
        }
        return handlers
    }
}
