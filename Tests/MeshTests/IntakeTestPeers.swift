import Logging
import RefundMeshAPI
import RefundMeshRPC
import Synchronization

/// Review, payment-channel and notification as intake sees them, served from the test process
/// on one port: they record what intake sends and answer ListPayments from a table.
final class IntakeTestPeers: Sendable {
    private struct State {
        var openedCases: [OpenCaseRequest] = []
        var withdrawn: [String] = []
        var offerAnswers: [OfferAnswer] = []
        var materials: [AddMaterialsRequest] = []
        var events: [RefundEvent] = []
        var payments: [String: [CapturedPayment]] = [:]
    }

    private let state = Mutex(State())

    var openedCases: [OpenCaseRequest] { state.withLock { $0.openedCases } }
    var withdrawn: [String] { state.withLock { $0.withdrawn } }
    var offerAnswers: [OfferAnswer] { state.withLock { $0.offerAnswers } }
    var events: [RefundEvent] { state.withLock { $0.events } }

    func setPayments(_ payments: [CapturedPayment], for orderID: String) {
        state.withLock { $0.payments[orderID] = payments }
    }

    var services: [any RPCService] {
        [ReviewPeer(peers: self), PaymentPeer(peers: self), NotificationPeer(peers: self)]
    }

    fileprivate func opened(_ request: OpenCaseRequest) { state.withLock { $0.openedCases.append(request) } }
    fileprivate func added(_ request: AddMaterialsRequest) { state.withLock { $0.materials.append(request) } }
    fileprivate func answered(_ request: OfferAnswer) { state.withLock { $0.offerAnswers.append(request) } }
    fileprivate func withdrew(_ refundID: String) { state.withLock { $0.withdrawn.append(refundID) } }
    fileprivate func published(_ event: RefundEvent) { state.withLock { $0.events.append(event) } }
    fileprivate func payments(of orderID: String) -> [CapturedPayment] { state.withLock { $0.payments[orderID] ?? [] } }
}

private struct ReviewPeer: Review.ServiceProtocol {
    let peers: IntakeTestPeers

    func recordFulfillment(_ request: FulfillmentFact, context: ServerContext) async throws -> Ack { Ack() }
    func openCase(_ request: OpenCaseRequest, context: ServerContext) async throws -> Ack {
        peers.opened(request)
        return Ack(firstTime: true)
    }
    func addMaterials(_ request: AddMaterialsRequest, context: ServerContext) async throws -> Ack {
        peers.added(request)
        return Ack(firstTime: true)
    }
    func recordOfferAnswer(_ request: OfferAnswer, context: ServerContext) async throws -> Ack {
        peers.answered(request)
        return Ack(firstTime: true)
    }
    func withdrawCase(_ request: WithdrawCaseRequest, context: ServerContext) async throws -> Ack {
        peers.withdrew(request.refundID)
        return Ack(firstTime: true)
    }
    func getCase(_ request: GetCaseRequest, context: ServerContext) async throws -> ReviewCase {
        throw Self.notHere
    }
    func listQueue(_ request: ListQueueRequest, context: ServerContext) async throws -> ListQueueResponse {
        throw Self.notHere
    }
    func claimCase(_ request: ClaimCaseRequest, context: ServerContext) async throws -> CaseClaim { throw Self.notHere }
    func releaseCase(_ request: ReleaseCaseRequest, context: ServerContext) async throws -> Ack { throw Self.notHere }
    func getCaseDetail(_ request: GetCaseRequest, context: ServerContext) async throws -> CaseDetail {
        throw Self.notHere
    }
    func decideCase(_ request: DecideCaseRequest, context: ServerContext) async throws -> CaseDetail {
        throw Self.notHere
    }
    func listOverdue(_ request: ListOverdueRequest, context: ServerContext) async throws -> ListQueueResponse {
        throw Self.notHere
    }
    func getEvidenceHead(_ request: GetEvidenceHeadRequest, context: ServerContext) async throws -> EvidenceCheckpoint {
        throw Self.notHere
    }
    func createCheckpoint(
        _ request: CreateCheckpointRequest,
        context: ServerContext
    ) async throws
        -> EvidenceCheckpoint
    {
        throw Self.notHere
    }
    func streamEvidence(
        _ request: StreamEvidenceRequest,
        responses: MessageWriter<EvidenceEntry>,
        context: ServerContext
    ) async throws {
        throw Self.notHere
    }
    func listCheckpoints(
        _ request: ListCheckpointsRequest,
        context: ServerContext
    ) async throws
        -> ListCheckpointsResponse
    {
        throw Self.notHere
    }
    func exportCaseEvidence(_ request: ExportCaseEvidenceRequest, context: ServerContext) async throws -> CaseEvidence {
        throw Self.notHere
    }

    private static let notHere = RPCError(code: .unimplemented, message: "not in this test")
}

private struct PaymentPeer: PaymentChannel.ServiceProtocol {
    let peers: IntakeTestPeers

    func recordPayment(_ request: CapturedPayment, context: ServerContext) async throws -> Ack { Ack() }
    func listPayments(_ request: ListPaymentsRequest, context: ServerContext) async throws -> ListPaymentsResponse {
        ListPaymentsResponse(payments: peers.payments(of: request.orderID))
    }
    func quote(_ request: QuoteRequest, context: ServerContext) async throws -> RefundQuote {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
    func executeRefund(_ request: ExecuteRefundRequest, context: ServerContext) async throws -> RefundPayment {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
    func getRefundPayment(_ request: GetRefundPaymentRequest, context: ServerContext) async throws -> RefundPayment {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
    func getBalance(_ request: GetBalanceRequest, context: ServerContext) async throws -> Balance {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
    func getRefundLedger(_ request: GetRefundLedgerRequest, context: ServerContext) async throws -> RefundLedger {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
    func trialBalance(_ request: TrialBalanceRequest, context: ServerContext) async throws -> TrialBalanceReport {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
    func reconcileDay(_ request: ReconcileDayRequest, context: ServerContext) async throws -> ReconciliationReport {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
    func listAlerts(_ request: ListAlertsRequest, context: ServerContext) async throws -> AlertList {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
    func resolveRefund(_ request: ResolveRefundRequest, context: ServerContext) async throws -> RefundPayment {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
}

private struct NotificationPeer: EventNotificationPeer {
    let peers: IntakeTestPeers

    func publish(_ request: RefundEvent, context: ServerContext) async throws -> Ack {
        peers.published(request)
        return Ack(firstTime: true)
    }
    func listInbox(_ request: ListInboxRequest, context: ServerContext) async throws -> ListInboxResponse {
        ListInboxResponse()
    }
    func markRead(_ request: MarkReadRequest, context: ServerContext) async throws -> Ack { Ack() }
    func watchInbox(
        _ request: WatchInboxRequest,
        responses: MessageWriter<InboxItem>,
        context: ServerContext
    ) async throws {}
}

/// A notification peer for tests that exercise only the event and inbox RPCs: preferences and
/// deliveries answer `unimplemented` (shared by ``NotificationPeer`` and ``FakeNotification``).
protocol EventNotificationPeer: RefundMeshAPI.Notification.ServiceProtocol {}

extension EventNotificationPeer {
    /// A batch is its events published one by one, in order, each answered as Publish answered it.
    func publishBatch(_ request: RefundEventBatch, context: ServerContext) async throws -> BatchAck {
        var acks: [ItemAck] = []
        for item in request.items {
            acks.append(await itemAck { try await publish(item.event ?? RefundEvent(), context: context) })
        }
        return BatchAck(items: acks)
    }

    func setPreferences(_ request: ChannelPreferences, context: ServerContext) async throws -> ChannelPreferences {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
    func getPreferences(_ request: GetPreferencesRequest, context: ServerContext) async throws -> ChannelPreferences {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
    func listDeliveries(
        _ request: ListDeliveriesRequest,
        context: ServerContext
    ) async throws
        -> ListDeliveriesResponse
    {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
    func listDeadLetters(
        _ request: ListDeadLettersRequest,
        context: ServerContext
    ) async throws
        -> ListDeliveriesResponse
    {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
    func retryDeadLetter(_ request: RetryDeadLetterRequest, context: ServerContext) async throws -> Delivery {
        throw RPCError(code: .unimplemented, message: "not in this test")
    }
}

/// An RPCServer for `services` on a free loopback port while `body` runs.
func withTestPeerServer<Result: Sendable>(
    _ services: [any RPCService],
    _ body: (Int) async throws -> Result
) async throws -> Result {
    var logger = Logger(label: "test.peers")
    logger.logLevel = .critical
    let server = RPCServer(services: services, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let port = try await server.listeningAddress().port!
        do {
            let result = try await body(port)
            server.beginGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func meshEventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// What a test peer answers for one item of a batch: the single call's outcome.
func itemAck(_ single: () async throws -> Ack) async -> ItemAck {
    do {
        return ItemAck(firstTime: try await single().firstTime)
    } catch let error as RPCError {
        return ItemAck(code: UInt32(error.code.rawValue), message: error.message)
    } catch {
        return ItemAck(code: UInt32(StatusCode.internalError.rawValue), message: "\(error)")
    }
}
