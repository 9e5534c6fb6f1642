import AsyncHTTPClient
import Foundation
import Logging
import NotificationChannels
import NotificationService
import RefundMeshAPI
import RefundMeshRPC
import RefundMeshStore
import RefundMeshStoreTestSupport
import RefundMeshTestSupport
import Synchronization

/// A clock the test moves by hand, in Unix milliseconds.
final class TestClock: Sendable {
    private let value: Mutex<Int64>

    init(_ start: Int64 = 1_764_000_000_000) { value = Mutex(start) }

    var now: Int64 { value.withLock { $0 } }

    func advance(by milliseconds: Int64) { value.withLock { $0 += milliseconds } }

    var function: @Sendable () -> Int64 { { self.now } }
}

let quietLogger: Logger = {
    var logger = Logger(label: "notification.tests")
    logger.logLevel = .critical
    return logger
}()

/// The notification handler on a real SQLite file, served over real TCP, with a client for it,
/// a hand-moved clock and a worker over the given channels.
struct NotificationFixture: Sendable {
    let store: any ServiceDatabase
    let handler: NotificationHandler
    let clock: TestClock
    let client: RefundMeshAPI.Notification.Client

    /// The delivery worker with `channels`, retrying after 1 s, 2 s, 4 s … without jitter.
    func worker(_ channels: [any DeliveryChannel], attempts: Int = 5) -> DeliveryWorker {
        DeliveryWorker(
            deliveries: handler.deliveries,
            channels: channels,
            policy: DeliveryStore.Policy(
                backoff: OutboxRelay.Backoff(initial: .seconds(1), maximum: .seconds(60), multiplier: 2, jitter: 0),
                maximumAttempts: attempts
            ),
            logger: quietLogger,
            now: clock.function,
            random: { 0 }
        )
    }

    /// One delivery by id, through ListDeliveries.
    func delivery(_ id: String) async throws -> Delivery? {
        let eventID = String(id.prefix { $0 != "/" })
        return try await client.listDeliveries(ListDeliveriesRequest(eventID: eventID)).deliveries.first {
            $0.deliveryID == id
        }
    }
}

/// Runs `body` with a fresh fixture on `backend`'s engine (a SQLite file in a temporary folder,
/// or a database of its own on the test PostgreSQL server), removed afterwards.
func withNotificationFixture<Result: Sendable>(
    _ backend: TestBackend = .sqlite,
    _ body: (NotificationFixture) async throws -> Result
) async throws -> Result {
    try await backend.withDatabase(sqlite: InboxStore.migrations, postgres: InboxStore.postgresMigrations) { store in
        try await withNotificationFixture(store: store, body)
    }
}

private func withNotificationFixture<Result: Sendable>(
    store: any ServiceDatabase,
    _ body: (NotificationFixture) async throws -> Result
) async throws -> Result {
    let clock = TestClock()
    let handler = NotificationHandler(inbox: InboxStore(store: store), now: clock.function)
    return try await withTestServer(services: [handler]) { _, port in
        let rpc = makeTestClient(ports: [port])
        let fixture = NotificationFixture(
            store: store,
            handler: handler,
            clock: clock,
            client: RefundMeshAPI.Notification.Client(rpc)
        )
        do {
            let result = try await body(fixture)
            await rpc.close()
            return result
        } catch {
            await rpc.close()
            throw error
        }
    }
}

/// An HTTP client for a test, shut down after `body`.
func withHTTPClient<Result: Sendable>(_ body: (HTTPClient) async throws -> Result) async throws -> Result {
    let client = NotificationHTTP.makeClient()
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// A refund event for `user`.
func refundEvent(
    _ id: String,
    user: String = "u-1",
    kind: RefundEvent.Kind = .approved,
    locale: String = ""
) -> RefundEvent {
    RefundEvent(
        eventID: id,
        userID: user,
        refundID: "rf-\(id)",
        orderID: "o-1",
        kind: kind,
        amountFen: 12_345,
        feeFen: 74,
        rule: "R-R1",
        reason: "卡密未激活",
        materials: [.nonUseProof],
        expectedArrivalMs: 1_764_100_000_000,
        atMs: 1_764_000_000_000,
        locale: locale
    )
}

let webhookSecret = "whsec-0123456789abcdef"
