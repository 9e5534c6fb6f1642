import Foundation
import GRDB
import Logging
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC
import RefundMeshStore
import RefundMeshStoreTestSupport
import RefundMeshTestSupport
import ReviewService

/// A review handler over a real store: a SQLite file in a temporary folder, or (``with(_:payments:operatorAnswer:_:)``
/// with ``TestBackend/postgres``) a database of its own on the test PostgreSQL server.
final class ReviewFixture: Sendable {
    let database: any ServiceDatabase
    let handler: ReviewHandler
    private let cleanup: @Sendable () -> Void
    static let nowMs: Int64 = 1_764_000_000_000
    /// When the fixtures' fulfillment facts happened: a minute before ``nowMs``.
    static let factAtMs: Int64 = nowMs - 60_000

    /// On a SQLite store in a temporary folder, removed when the fixture goes.
    convenience init(
        payments: any PaymentRecords = NoPayments(),
        operatorAnswer: FulfillmentFacts.RechargeStatus = .unknown,
        configuration: ReviewConfiguration = ReviewConfiguration()
    )
        throws
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "review-tests-\(UUID().uuidString)"
        )
        var logger = Logger(label: "test.review")
        logger.logLevel = .critical
        let store = try Store(
            configuration: Store.Configuration(path: directory.appendingPathComponent("review.sqlite").path),
            migrations: ReviewStore.migrations,
            logger: logger
        )
        self.init(
            database: store.database,
            payments: payments,
            operatorAnswer: operatorAnswer,
            configuration: configuration
        ) {
            try? store.close()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    init(
        database: any ServiceDatabase,
        payments: any PaymentRecords = NoPayments(),
        operatorAnswer: FulfillmentFacts.RechargeStatus = .unknown,
        configuration: ReviewConfiguration = ReviewConfiguration(),
        cleanup: @escaping @Sendable () -> Void = {}
    ) {
        self.database = database
        self.cleanup = cleanup
        handler = ReviewHandler(
            store: database,
            payments: payments,
            operatorAdapter: SandboxOperatorAdapter(answer: operatorAnswer),
            configuration: configuration,
            now: { ReviewFixture.nowMs }
        )
    }

    /// A fixture on `backend`'s engine, for the duration of `body`.
    static func with<T: Sendable>(
        _ backend: TestBackend,
        payments: any PaymentRecords = NoPayments(),
        operatorAnswer: FulfillmentFacts.RechargeStatus = .unknown,
        _ body: (ReviewFixture) async throws -> T
    ) async throws -> T {
        try await backend.withDatabase(sqlite: ReviewStore.migrations, postgres: ReviewStore.postgresMigrations) {
            database in
            try await body(ReviewFixture(database: database, payments: payments, operatorAnswer: operatorAnswer))
        }
    }

    /// Another handler on the same store (e.g. once payment-channel is reachable).
    func handler(payments: any PaymentRecords) -> ReviewHandler {
        ReviewHandler(store: database, payments: payments, now: { ReviewFixture.nowMs + 1000 })
    }

    deinit {
        cleanup()
    }

    static func context(_ method: MethodDescriptor = Review.Method.openCase) -> ServerContext {
        var logger = Logger(label: "test.review.call")
        logger.logLevel = .critical
        return ServerContext(method: method, metadata: [:], deadline: nil, peer: "test", requestID: "t", logger: logger)
    }

    func open(_ request: OpenCaseRequest) async throws -> Ack {
        try await handler.openCase(request, context: Self.context())
    }

    func record(_ fact: FulfillmentFact) async throws -> Ack {
        try await handler.recordFulfillment(fact, context: Self.context(Review.Method.recordFulfillment))
    }

    func getCase(_ refundID: String) async throws -> ReviewCase {
        try await handler.getCase(GetCaseRequest(refundID: refundID), context: Self.context(Review.Method.getCase))
    }

    /// Every outbox message, by row id.
    func outbox() async throws -> [String: OutboxMessage] {
        let messages = try await database.read { db in try Outbox.pending(db, limit: 1000) }
        return Dictionary(uniqueKeysWithValues: messages.map { ($0.eventID, $0) })
    }

    // MARK: Requests

    static func order(
        _ id: String,
        kind: ProductKind,
        priceFen: Int64 = 3000,
        totalDays: Int32 = 0
    ) -> Order {
        Order(
            orderID: id,
            userID: "u-1",
            productKind: kind,
            sku: "sku-\(id)",
            productName: "product \(id)",
            priceFen: priceFen,
            paidAtMs: nowMs - 86_400_000,
            totalDays: totalDays
        )
    }

    /// Order o-1 paid twice with Alipay, 3000 fen each (R-R3): p-2 is the duplicate.
    static let duplicateCaptures = [
        CapturedPayment(
            paymentID: "p-1",
            orderID: "o-1",
            userID: "u-1",
            method: .alipay,
            amountFen: 3000,
            capturedAtMs: 1
        ),
        CapturedPayment(
            paymentID: "p-2",
            orderID: "o-1",
            userID: "u-1",
            method: .alipay,
            amountFen: 3000,
            capturedAtMs: 2
        ),
    ]

    static func openCase(
        _ refundID: String,
        order: Order,
        ground: RefundGround = .notUsed,
        destination: Destination = .original,
        paymentID: String = "",
        flagged: Bool = false,
        locale: String = "en"
    ) -> OpenCaseRequest {
        OpenCaseRequest(
            refundID: refundID,
            order: order,
            ground: ground,
            reasonStatement: "the recharge never reached my game account yesterday evening",
            attachments: [
                AttachmentRef(
                    kind: .orderProof,
                    fileName: "order.png",
                    sha256Hex: String(repeating: "a", count: 64),
                    sizeBytes: 10
                )
            ],
            destination: destination,
            paymentID: paymentID,
            flaggedForReview: flagged,
            flagReason: flagged ? "3 withdrawals of this order (R-A7)" : "",
            submittedAtMs: nowMs,
            locale: locale
        )
    }
}

/// No captured payments anywhere.
struct NoPayments: PaymentRecords {
    func capturedPayments(orderID: String) async throws -> [CapturedPayment] { [] }
}

/// payment-channel as an in-test RPC server answering ListPayments from a table; every other
/// method is UNIMPLEMENTED.
struct FakePaymentChannel: RPCService {
    let payments: [String: [CapturedPayment]]

    var serviceDescriptor: ServiceDescriptor { PaymentChannel.descriptor }
    var handlers: [RPCMethodHandler] {
        [
            .unary(PaymentChannel.Method.listPayments) { (request: ListPaymentsRequest, _) in
                ListPaymentsResponse(payments: payments[request.orderID] ?? [])
            }
        ]
    }
}
