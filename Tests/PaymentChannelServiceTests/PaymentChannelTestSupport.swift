import Foundation
import Logging
import PaymentChannelService
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC
import RefundMeshStore
import RefundMeshStoreTestSupport
import Synchronization
import Testing

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

extension PaymentChannelConfiguration {
    /// Production defaults, except no per-trade interval and a generous token bucket, so tests
    /// that are not about throttling (R-C7) are not slowed by it.
    static var testing: PaymentChannelConfiguration {
        var settings = PaymentChannelConfiguration()
        settings.orderIntervalMs = [.wechatPay: 0, .alipay: 0, .bankCard: 0]
        settings.callsPerSecond = [.wechatPay: 100_000, .alipay: 100_000, .bankCard: 100_000]
        return settings
    }
}

/// Everything payment-channel needs, on real SQLite files in a temporary folder, or (``with(_:failureRate:policy:settings:_:)``
/// with ``TestBackend/postgres``) on a database of its own on the test PostgreSQL server.
struct PaymentFixture {
    let directory: URL
    let store: any ServiceDatabase
    let payments: PaymentStore
    let sandbox: SandboxChannelAdapter
    let payer: RefundPayer
    let handler: PaymentChannelHandler
    let clock: TestClock
    let notifier: SandboxNotifier
    /// The SQLite stores to close (none on PostgreSQL).
    private let files: [Store]

    init(
        failureRate: Double = 0,
        policy: RefundPolicy = .default,
        settings: PaymentChannelConfiguration = .testing,
        sandboxOrderIntervalMs: Int64 = 0,
        walletSettle: Duration = .milliseconds(200),
        directory: URL? = nil,
        clock: TestClock = TestClock()
    ) throws {
        let directory =
            directory
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("payment-channel-tests-\(UUID().uuidString)", isDirectory: true)
        let store = try Store(
            configuration: Store.Configuration(
                path: directory.appendingPathComponent("payment-channel.sqlite").path
            ),
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
        self.init(
            store: store.database,
            sandboxStore: sandboxStore.database,
            files: [store, sandboxStore],
            failureRate: failureRate,
            policy: policy,
            settings: settings,
            sandboxOrderIntervalMs: sandboxOrderIntervalMs,
            walletSettle: walletSettle,
            directory: directory,
            clock: clock
        )
    }

    private init(
        store: any ServiceDatabase,
        sandboxStore: any ServiceDatabase,
        files: [Store],
        failureRate: Double,
        policy: RefundPolicy,
        settings: PaymentChannelConfiguration,
        sandboxOrderIntervalMs: Int64,
        walletSettle: Duration,
        directory: URL,
        clock: TestClock
    ) {
        self.directory = directory
        self.clock = clock
        self.store = store
        self.files = files
        payments = PaymentStore(store: store, policy: policy, settings: settings)
        var sandboxConfiguration = SandboxChannelAdapter.Configuration(
            latency: .zero,
            walletSettle: walletSettle,
            bankCardSettle: .milliseconds(600),
            failureRate: failureRate
        )
        sandboxConfiguration.orderIntervalMs = sandboxOrderIntervalMs
        sandbox = SandboxChannelAdapter(store: sandboxStore, configuration: sandboxConfiguration, now: clock.function)
        payer = RefundPayer(
            payments: payments,
            adapters: ChannelAdapters(all: sandbox),
            logger: testLogger,
            now: clock.function
        )
        handler = PaymentChannelHandler(payments: payments, payer: payer, now: clock.function)
        notifier = SandboxNotifier(sandbox: sandbox, payments: payments, logger: testLogger, now: clock.function)
    }

    /// A fixture on `backend`'s engine for the duration of `body`; on PostgreSQL the sandbox's
    /// tables share payment-channel's database, as the executable has them.
    static func with<T: Sendable>(
        _ backend: TestBackend,
        failureRate: Double = 0,
        policy: RefundPolicy = .default,
        settings: PaymentChannelConfiguration = .testing,
        sandboxOrderIntervalMs: Int64 = 0,
        walletSettle: Duration = .milliseconds(200),
        _ body: (PaymentFixture) async throws -> T
    ) async throws -> T {
        if backend == .sqlite {
            let fixture = try PaymentFixture(
                failureRate: failureRate,
                policy: policy,
                settings: settings,
                sandboxOrderIntervalMs: sandboxOrderIntervalMs,
                walletSettle: walletSettle
            )
            defer { fixture.remove() }
            return try await body(fixture)
        }
        return try await backend.withDatabase(
            sqlite: [],
            postgres: PaymentStore.postgresMigrations + SandboxChannelAdapter.postgresMigrations
        ) { database in
            try await body(
                PaymentFixture(
                    store: database,
                    sandboxStore: database,
                    files: [],
                    failureRate: failureRate,
                    policy: policy,
                    settings: settings,
                    sandboxOrderIntervalMs: sandboxOrderIntervalMs,
                    walletSettle: walletSettle,
                    directory: FileManager.default.temporaryDirectory,
                    clock: TestClock()
                )
            )
        }
    }

    /// The same files opened again: a restart of payment-channel (and of the provider).
    func reopened(settings: PaymentChannelConfiguration = .testing) throws -> PaymentFixture {
        for file in files { try file.close() }
        return try PaymentFixture(settings: settings, directory: directory, clock: clock)
    }

    func settler(grace: Duration = .zero) -> RefundSettler {
        RefundSettler(payer: payer, configuration: .init(pendingGrace: grace), logger: testLogger)
    }

    /// One settler pass after the sandbox's notifications (R-C9) were delivered.
    func settle() async throws {
        try await notifier.notifyOnce()
        try await settler().settleOnce()
    }

    func remove() {
        for file in files { try? file.close() }
        if !files.isEmpty { try? FileManager.default.removeItem(at: directory) }
    }

    /// Records `payment-1` of `order-1` by `user-1`: ¥100.00 by WeChat Pay unless told otherwise.
    @discardableResult
    func recordPayment(
        id: String = "payment-1",
        order: String = "order-1",
        method: PaymentMethod = .wechatPay,
        amountFen: Int64 = 10_000,
        capturedAtMs: Int64 = 1_763_900_000_000
    ) async throws -> CapturedPayment {
        let payment = CapturedPayment(
            paymentID: id,
            orderID: order,
            userID: "user-1",
            method: method,
            amountFen: amountFen,
            capturedAtMs: capturedAtMs,
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

    func refund(_ refundID: String) async throws -> RefundPaymentRecord {
        try #require(try await payments.refund(id: refundID))
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

    /// The shared invariants (R-C5, R-C6): the books balance; every refund's ledger position is
    /// what its state says; no payment refunded beyond what it captured; every refund the
    /// provider paid is paid once, for its own amount, and recorded here; none we recorded as
    /// arrived is unpaid at the provider.
    func checkInvariants(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let trial = try await payments.trialBalance()
        #expect(trial.isBalanced, "trial balance: \(trial)", sourceLocation: sourceLocation)
        let refunds = try await payments.allRefunds()
        var byPayment: [String: Int64] = [:]
        for refund in refunds where refund.state != .failed {
            byPayment[refund.paymentID, default: 0] += refund.amountFen
        }
        for (paymentID, refunded) in byPayment {
            let payment = try await payments.payment(orderID: "", paymentID: paymentID)
            #expect(
                refunded <= payment.amountFen,
                "R-C5: \(paymentID) refunded \(refunded)",
                sourceLocation: sourceLocation
            )
        }
        let paid = try await sandbox.paidAmounts()
        let byNumber = Dictionary(uniqueKeysWithValues: refunds.map { ($0.providerRefundNo, $0) })
        for (number, amount) in paid {
            let refund = try #require(
                byNumber[number],
                "the provider paid \(number), unknown here",
                sourceLocation: sourceLocation
            )
            #expect(amount == refund.netFen, "\(number) paid \(amount)", sourceLocation: sourceLocation)
            #expect(
                try await sandbox.submissionLog(paymentID: refund.paymentID).filter {
                    $0.refundNo == number && $0.outcome == "accepted"
                }.count == 1,
                "\(number) accepted once",
                sourceLocation: sourceLocation
            )
        }
        for refund in refunds {
            let positions = try await payments.ledgerPositions(refundID: refund.refundID)
            #expect(
                positions == Self.expectedPositions(refund),
                "\(refund.refundID) \(refund.state): \(positions)",
                sourceLocation: sourceLocation
            )
            if refund.state == .arrived, refund.usesProvider, refund.resolution == nil {
                #expect(
                    paid[refund.providerRefundNo] == refund.netFen,
                    "\(refund.refundID) arrived but unpaid",
                    sourceLocation: sourceLocation
                )
            }
        }
    }

    /// What a refund's ledger position must be in its state (docs/PAYMENTS.md).
    static func expectedPositions(_ refund: RefundPaymentRecord) -> [String: Int64] {
        let a = refund.amountFen
        let f = refund.feeFen
        let n = refund.netFen
        let m = Ledger.methodKey(refund.method)
        var result: [String: Int64]
        switch refund.state {
        case .pending, .reversed:
            result = [Ledger.refundExpense: a, Ledger.refundsPayable: -a]
        case .sent:
            result = [Ledger.refundExpense: a, Ledger.feeIncome: -f, "channel_clearing:\(m)": -n]
        case .abnormal:
            result = [Ledger.refundExpense: a, Ledger.feeIncome: -f, "channel_abnormal:\(m)": -n]
        case .arrived where !refund.usesProvider || refund.resolution == "to-balance":
            result = [Ledger.refundExpense: a, Ledger.userBalance(refund.userID): -a]
        case .arrived:
            result = [Ledger.refundExpense: a, Ledger.feeIncome: -f, "channel_settlement:\(m)": -n]
        default:
            result = [:]
        }
        return result.filter { $0.value != 0 }
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
