import Foundation
import Logging
import PaymentChannelService
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC
import RefundMeshStore
import Synchronization

let testLogger: Logger = {
    var logger = Logger(label: "payment-channel.tests")
    logger.logLevel = .critical
    return logger
}()

/// A clock the test moves by hand, in Unix milliseconds.
final class TestClock: Sendable {
    private let value: Atomic<Int64>
    init(_ start: Int64 = 1_764_000_000_000) { value = Atomic(start) }
    var now: Int64 { value.load(ordering: .relaxed) }
    func advance(by milliseconds: Int64) { value.add(milliseconds, ordering: .relaxed) }
    var function: @Sendable () -> Int64 { { self.now } }
}

/// Everything payment-channel needs, on real SQLite files in a temporary folder.
struct PaymentFixture {
    let directory: URL
    let store: Store
    let payments: PaymentStore
    let sandbox: SandboxChannelAdapter
    let payer: RefundPayer
    let handler: PaymentChannelHandler
    let clock: TestClock

    init(failureRate: Double = 0, policy: RefundPolicy = .default) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("payment-channel-tests-\(UUID().uuidString)", isDirectory: true)
        clock = TestClock()
        store = try Store(
            configuration: Store.Configuration(path: directory.appendingPathComponent("payment-channel.sqlite").path),
            migrations: PaymentStore.migrations,
            logger: testLogger
        )
        let sandboxStore = try Store(
            configuration: Store.Configuration(
                path: directory.appendingPathComponent("payment-sandbox.sqlite").path,
                synchronous: .normal
            ),
            migrations: SandboxChannelAdapter.migrations,
            logger: testLogger
        )
        payments = PaymentStore(store: store, policy: policy)
        sandbox = SandboxChannelAdapter(
            store: sandboxStore,
            configuration: .init(
                latency: .zero,
                walletSettle: .milliseconds(200),
                bankCardSettle: .milliseconds(600),
                failureRate: failureRate
            ),
            now: clock.function
        )
        payer = RefundPayer(payments: payments, adapter: sandbox, logger: testLogger, now: clock.function)
        handler = PaymentChannelHandler(payments: payments, payer: payer, now: clock.function)
    }

    func settler(grace: Duration = .zero) -> RefundSettler {
        RefundSettler(payer: payer, configuration: .init(pendingGrace: grace), logger: testLogger)
    }

    func remove() {
        try? store.close()
        try? sandbox.store.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Records `payment-1` of `order-1` by `user-1`: ¥100.00 by WeChat Pay unless told otherwise.
    @discardableResult
    func recordPayment(
        id: String = "payment-1",
        order: String = "order-1",
        method: PaymentMethod = .wechatPay,
        amountFen: Int64 = 10_000
    ) async throws -> CapturedPayment {
        let payment = CapturedPayment(
            paymentID: id,
            orderID: order,
            userID: "user-1",
            method: method,
            amountFen: amountFen,
            capturedAtMs: 1_763_900_000_000,
            merchantID: "m-1"
        )
        _ = try await handler.recordPayment(payment, context: .test)
        return payment
    }

    func execute(
        _ refundID: String,
        amountFen: Int64 = 10_000,
        order: String = "order-1",
        destination: Destination = .original,
        platformFault: Bool = false
    ) async throws -> RefundPayment {
        try await handler.executeRefund(
            ExecuteRefundRequest(
                refundID: refundID,
                orderID: order,
                userID: "user-1",
                amountFen: amountFen,
                destination: destination,
                platformFault: platformFault
            ),
            context: .test
        )
    }

    /// The stored outbox message with this event id for `destination`.
    func outbox(_ eventID: String, to destination: String) async throws -> OutboxMessage? {
        try await store.read { db in
            try Outbox.message(db, eventID: RefundNotices.outboxID(eventID: eventID, destination: destination))
        }
    }

    func outboxEventIDs() async throws -> [String] {
        try await store.read { db in try Outbox.pending(db, limit: 1000).map(\.eventID) }
    }
}

extension ServerContext {
    static var test: ServerContext {
        ServerContext(
            method: PaymentChannel.Method.executeRefund,
            metadata: [:],
            deadline: nil,
            peer: "test",
            requestID: "test",
            logger: testLogger
        )
    }
}
