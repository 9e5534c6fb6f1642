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
/// TCP that plays intake's ApplyStatus, ApplyStatusBatch and RecordOrder and records what reaches it.
@Suite("outbox dispatcher batches")
struct OutboxDispatcherTests {
    @Test("a step's messages of a batchable method go as one batch call; a refused item fails alone; others go singly")
    func oneBatchPerMethod() async throws {
        let peer = RecordingIntake(servesBatches: true, refusing: ["e-refused"])
        try await withPeer(peer) { dispatcher in
            let ids = ["e-1", "e-refused", "e-3", "e-4"]
            var messages = ids.enumerated().map { index, id in message(Int64(index + 1), id, trace: "trace-\(id)") }
            messages.insert(orderMessage(9, trace: "trace-order"), at: 2)
            let outcomes = await dispatcher.deliverMany(messages)

            let log = peer.log
            #expect(log.batches.count == 1, "the four ApplyStatus left as one call")
            #expect(log.batches.first?.map { $0.update?.eventID ?? "" } == ids, "in the order given")
            #expect(log.batches.first?.map(\.traceID) == ids.map { "trace-\($0)" }, "each item keeps its trace")
            #expect(log.batches.first?.first?.update?.refundID == "r-1", "the stored request, as it was enqueued")
            #expect(log.single.isEmpty)
            #expect(log.orders == ["o-9"], "a method without a batch form goes on its own")
            #expect(log.orderTraces == ["trace-order"], "under its message's trace")
            #expect(outcomes.count == messages.count)
            for (message, outcome) in zip(messages, outcomes) where message.eventID != "e-refused" {
                #expect((try? outcome.get()) != nil, "\(message.eventID) was delivered")
            }
            let refusal = outcomes[1].failure as? RPCError
            #expect(refusal?.code == .notFound)
            #expect(refusal?.message == "refund r-2 is not known to intake", "the peer's own message")
        }
    }

    @Test("a lone message goes as a single call; more than a batch holds go as several batches")
    func loneMessagesAndLargeSteps() async throws {
        let peer = RecordingIntake(servesBatches: true, refusing: [])
        try await withPeer(peer) { dispatcher in
            let lone = await dispatcher.deliverMany([message(1, "e-lone", trace: "trace-lone")])
            #expect((try? lone[0].get()) != nil)
            #expect(peer.log.single.map(\.eventID) == ["e-lone"])
            #expect(peer.log.singleTraces == ["trace-lone"])

            let many = (0..<(OutboxDispatcher.maximumBatch + 2)).map { message(Int64($0 + 10), "m-\($0)", trace: nil) }
            let outcomes = await dispatcher.deliverMany(many)
            #expect(outcomes.allSatisfy { (try? $0.get()) != nil })
            #expect(peer.log.batches.map(\.count).sorted() == [2, OutboxDispatcher.maximumBatch])
        }
    }

    @Test("a peer without the batch method gets the messages as single calls, each under its trace")
    func peerWithoutBatchesGetsSingleCalls() async throws {
        let peer = RecordingIntake(servesBatches: false, refusing: [])
        try await withPeer(peer) { dispatcher in
            let messages = (1...3).map { message(Int64($0), "e-\($0)", trace: "trace-\($0)") }
            let outcomes = await dispatcher.deliverMany(messages)
            #expect(outcomes.allSatisfy { (try? $0.get()) != nil })
            let log = peer.log
            #expect(log.batches.isEmpty)
            #expect(Set(log.single.map(\.eventID)) == ["e-1", "e-2", "e-3"])
            #expect(Set(log.singleTraces) == ["trace-1", "trace-2", "trace-3"])
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

    private func orderMessage(_ id: Int64, trace: String) -> OutboxMessage {
        let order = Order(orderID: "o-\(id)", userID: "u-1", productKind: .cardKey, priceFen: 100)
        return OutboxMessage(
            id: id,
            eventID: "order-\(id)",
            destination: "intake",
            kind: Intake.Method.recordOrder.path,
            payload: try! RecordOrderRequest(order: order).serializedBytes(),
            createdAt: Date(),
            nextAttemptAt: Date(),
            traceID: trace
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
            let dispatcher = OutboxDispatcher(peers: ["intake": client], logger: logger)
            do {
                try await body(dispatcher)
            } catch {
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

/// Plays intake's ApplyStatus, RecordOrder and, when asked, ApplyStatusBatch, refusing the listed
/// event ids as intake refuses an unknown refund.
private final class RecordingIntake: RPCService, Sendable {
    struct Log {
        var single: [StatusUpdate] = []
        var singleTraces: [String?] = []
        var batches: [[BatchedStatusUpdate]] = []
        var orders: [String] = []
        var orderTraces: [String?] = []
    }

    let servesBatches: Bool
    let refusing: Set<String>
    private let state = Mutex(Log())

    init(servesBatches: Bool, refusing: Set<String>) {
        self.servesBatches = servesBatches
        self.refusing = refusing
    }

    var log: Log { state.withLock { $0 } }

    var serviceDescriptor: ServiceDescriptor { Intake.descriptor }

    var handlers: [RPCMethodHandler] {
        var handlers: [RPCMethodHandler] = [
            .unary(Intake.Method.applyStatus) { [self] (update: StatusUpdate, _) -> Ack in
                state.withLock { log in
                    log.single.append(update)
                    log.singleTraces.append(TraceID.current)
                }
                return Ack(firstTime: true)
            },
            .unary(Intake.Method.recordOrder) { [self] (request: RecordOrderRequest, _) -> Ack in
                state.withLock { log in
                    log.orders.append(request.order?.orderID ?? "")
                    log.orderTraces.append(TraceID.current)
                }
                return Ack(firstTime: true)
            },
        ]
        if servesBatches {
            handlers.append(
                .unary(Intake.Method.applyStatusBatch) { [self] (batch: StatusUpdateBatch, _) -> BatchAck in
                    state.withLock { $0.batches.append(batch.items) }
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

extension Result {
    fileprivate var failure: Failure? {
        guard case .failure(let error) = self else { return nil }
        return error
    }
}
