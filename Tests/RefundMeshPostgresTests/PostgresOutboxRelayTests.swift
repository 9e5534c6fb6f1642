import Foundation
import PostgresNIO
import RefundMeshStore
import Synchronization
import Testing

@testable import RefundMeshPostgres

@Suite("PostgresOutboxRelay: replicas share the outbox", .enabled(if: TestDatabase.available, TestDatabase.why))
struct PostgresOutboxRelayTests {
    /// What every relay delivered, in the order it was delivered.
    final class Deliveries: Sendable {
        let log = Mutex<[(replica: String, eventID: String)]>([])
        func record(_ replica: String, _ eventID: String) { log.withLock { $0.append((replica, eventID)) } }
        var all: [(replica: String, eventID: String)] { log.withLock { $0 } }
    }

    /// One replica, polling every 100 ms, retrying a failed message after 50 ms.
    static let quickRetries = PostgresOutboxRelay.Configuration(
        replica: "only",
        pollInterval: .milliseconds(100),
        backoff: .init(initial: .milliseconds(50), jitter: 0)
    )

    /// Whether `left` had one to give, taking it if so.
    /// One ApplyStatus message for intake, enqueued in a transaction of its own.
    static func enqueueStatus(
        _ store: PostgresStore,
        eventID: String,
        orderingKey: String,
        payload: [UInt8] = []
    ) async throws {
        try await store.transaction { connection in
            _ = try await PostgresOutbox.enqueue(
                connection,
                eventID: eventID,
                destination: "intake",
                kind: "ApplyStatus",
                payload: payload,
                orderingKey: orderingKey,
                logger: TestDatabase.logger
            )
        }
    }

    static func takeOne(_ left: borrowing Mutex<Int>) -> Bool {
        left.withLock { left in
            defer { left -= 1 }
            return left > 0
        }
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Two replicas' relays on one database, one of them stopped midway: every message is
    /// delivered, none twice, each key in enqueue order, and both replicas did part of the work.
    @Test func twoReplicasDeliverEverythingOnceInOrderPerKey() async throws {
        try await TestDatabase.withDatabase { configuration in
            let stores = (0..<2).map { _ in PostgresStore(configuration: configuration, logger: TestDatabase.logger) }
            try await TestDatabase.running(stores) {
                try await stores[0].migrate()
                let deliveries = Deliveries()
                let relays = ["replica-a", "replica-b"].enumerated().map { index, name in
                    PostgresOutboxRelay(
                        store: stores[index],
                        configuration: .init(
                            replica: name,
                            lease: .seconds(5),
                            roundSize: 16,
                            maximumInFlight: 8,
                            pollInterval: .milliseconds(200)
                        ),
                        logger: TestDatabase.logger
                    ) { message in
                        // A little latency, as a real peer has, so both replicas get rounds in.
                        try await Task.sleep(for: .milliseconds(2))
                        deliveries.record(name, message.eventID)
                    }
                }
                let keys = 20
                let perKey = 15
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let replicaA = Task { try await relays[0].run() }
                    group.addTask { try await relays[1].run() }
                    // Enqueued while the relays run, through both stores.
                    for step in 0..<perKey {
                        for key in 0..<keys {
                            try await stores[(step + key) % 2].transaction { connection in
                                _ = try await PostgresOutbox.enqueue(
                                    connection,
                                    eventID: "rf-\(key):\(step)",
                                    destination: key % 3 == 0 ? "intake" : "notification",
                                    kind: "ApplyStatus",
                                    payload: [UInt8(step)],
                                    orderingKey: "rf-\(key)",
                                    logger: TestDatabase.logger
                                )
                            }
                        }
                        if step == perKey / 2 {
                            // Replica A goes away midway (its claims, if any, expire after 5 s).
                            replicaA.cancel()
                        }
                    }
                    try await waitUntil { deliveries.all.count >= keys * perKey }
                    group.cancelAll()
                    _ = try? await replicaA.value
                }
                let all = deliveries.all
                #expect(all.count == keys * perKey)
                #expect(Set(all.map(\.eventID)).count == keys * perKey)
                for key in 0..<keys {
                    let steps = all.filter { $0.eventID.hasPrefix("rf-\(key):") }.map {
                        Int($0.eventID.split(separator: ":")[1])!
                    }
                    #expect(steps == Array(0..<perKey), "key rf-\(key) out of order: \(steps)")
                }
                let counts = Dictionary(grouping: all, by: \.replica).mapValues(\.count)
                #expect((counts["replica-a"] ?? 0) > 0)
                #expect((counts["replica-b"] ?? 0) > 0)
                let pending = try await stores[1].withConnection {
                    try await PostgresOutbox.pending($0, logger: TestDatabase.logger)
                }
                #expect(pending.isEmpty)
                // Each delivered message names the replica that delivered it.
                let stored = try await stores[1].read { db in
                    try db.rows("SELECT claimed_by, COUNT(*) AS n FROM outbox_messages GROUP BY claimed_by")
                        .map { (try $0["claimed_by"] as String? ?? "none", try $0["n"] as Int) }
                }
                #expect(Dictionary(uniqueKeysWithValues: stored) == counts)
            }
        }
    }

    /// A relay stopped right after a delivery still records it: the other replica, once the
    /// claim would have run out, finds the message delivered and does not send it again.
    @Test func aStoppedRelayRecordsWhatItDelivered() async throws {
        try await TestDatabase.withDatabase { configuration in
            let stores = (0..<2).map { _ in PostgresStore(configuration: configuration, logger: TestDatabase.logger) }
            try await TestDatabase.running(stores) {
                try await stores[0].migrate()
                try await stores[0].transaction { connection in
                    _ = try await PostgresOutbox.enqueue(
                        connection,
                        eventID: "rf-1:approved",
                        destination: "intake",
                        kind: "ApplyStatus",
                        payload: [1],
                        orderingKey: "rf-1",
                        logger: TestDatabase.logger
                    )
                }
                let deliveries = Deliveries()
                let running = Mutex<Task<Void, any Error>?>(nil)
                func relay(_ index: Int, _ name: String) -> PostgresOutboxRelay {
                    PostgresOutboxRelay(
                        store: stores[index],
                        configuration: .init(replica: name, lease: .seconds(1), pollInterval: .milliseconds(100)),
                        logger: TestDatabase.logger
                    ) { message in
                        deliveries.record(name, message.eventID)
                        // Replica A is stopped the moment its delivery is made, before it records it.
                        if name == "replica-a" { running.withLock { $0?.cancel() } }
                    }
                }
                let (relayA, relayB) = (relay(0, "replica-a"), relay(1, "replica-b"))
                let replicaA = Task { try await relayA.run() }
                running.withLock { $0 = replicaA }
                try await waitUntil { !deliveries.all.isEmpty }
                _ = try? await replicaA.value
                // Replica B runs past the one-second lease A's claim had.
                let replicaB = Task { try await relayB.run() }
                try await Task.sleep(for: .seconds(3))
                replicaB.cancel()
                _ = try? await replicaB.value
                #expect(deliveries.all.map(\.replica) == ["replica-a"])
                let stored = try await stores[1].withConnection { connection in
                    try await PostgresOutbox.message(connection, eventID: "rf-1:approved", logger: TestDatabase.logger)
                }
                #expect(stored?.deliveredAt != nil)
            }
        }
    }

    /// A commit that enqueues wakes an idle relay through NOTIFY: with a poll of a minute, the
    /// message still goes out at once.
    @Test func enqueueWakesAnIdleRelay() async throws {
        try await TestDatabase.withStore { store in
            let deliveries = Deliveries()
            let relay = PostgresOutboxRelay(
                store: store,
                configuration: .init(replica: "idle", pollInterval: .seconds(60)),
                logger: TestDatabase.logger
            ) { message in
                deliveries.record("idle", message.eventID)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                // Let the relay find nothing and settle into its wait.
                try await Task.sleep(for: .milliseconds(500))
                let enqueuedAt = ContinuousClock.now
                try await store.transaction { connection in
                    _ = try await PostgresOutbox.enqueue(
                        connection,
                        eventID: "rf-9:submitted",
                        destination: "review",
                        kind: "OpenCase",
                        payload: [],
                        logger: TestDatabase.logger
                    )
                }
                let deadline = enqueuedAt + .seconds(10)
                while deliveries.all.isEmpty && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                group.cancelAll()
            }
            #expect(deliveries.all.map(\.eventID) == ["rf-9:submitted"])
        }
    }

    /// A delivery slower than the lease: the claim is renewed while it runs, so the other
    /// replica does not take the message over and deliver it again.
    @Test func aSlowDeliveryKeepsItsClaim() async throws {
        try await TestDatabase.withDatabase { configuration in
            let stores = (0..<2).map { _ in PostgresStore(configuration: configuration, logger: TestDatabase.logger) }
            try await TestDatabase.running(stores) {
                try await stores[0].migrate()
                let deliveries = Deliveries()
                let started = Mutex(false)
                let relays = ["slow", "eager"].enumerated().map { index, name in
                    PostgresOutboxRelay(
                        store: stores[index],
                        // Renewed every second; two seconds of margin for a loaded machine.
                        configuration: .init(replica: name, lease: .seconds(3), pollInterval: .milliseconds(50)),
                        logger: TestDatabase.logger
                    ) { message in
                        if name == "slow" {
                            started.withLock { $0 = true }
                            try await Task.sleep(for: .seconds(7))
                        }
                        deliveries.record(name, message.eventID)
                    }
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await relays[0].run() }
                    try await stores[0].transaction { connection in
                        _ = try await PostgresOutbox.enqueue(
                            connection,
                            eventID: "rf-5:paid",
                            destination: "intake",
                            kind: "ApplyStatus",
                            payload: [],
                            logger: TestDatabase.logger
                        )
                    }
                    try await waitUntil { started.withLock { $0 } }
                    // The slow replica holds the claim; the eager one starts polling now.
                    group.addTask { try await relays[1].run() }
                    try await waitUntil { !deliveries.all.isEmpty }
                    // Give the eager replica time to take it over, were the claim lost.
                    try await Task.sleep(for: .milliseconds(1000))
                    group.cancelAll()
                }
                #expect(deliveries.all.map(\.replica) == ["slow"])
            }
        }
    }

    @Test func failedDeliveryIsRetriedAndHoldsBackItsKey() async throws {
        try await TestDatabase.withStore { store in
            let deliveries = Deliveries()
            let failuresLeft = Mutex(2)
            let relay = PostgresOutboxRelay(
                store: store,
                configuration: Self.quickRetries,
                logger: TestDatabase.logger
            ) { message in
                if message.eventID == "rf-1:approved", Self.takeOne(failuresLeft) {
                    struct Unavailable: Error {}
                    throw Unavailable()
                }
                deliveries.record("only", message.eventID)
            }
            for event in ["rf-1:approved", "rf-1:paid", "rf-2:approved"] {
                try await Self.enqueueStatus(store, eventID: event, orderingKey: String(event.prefix(4)))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                try await waitUntil { deliveries.all.count == 3 }
                group.cancelAll()
            }
            let order = deliveries.all.map(\.eventID)
            #expect(order.first == "rf-2:approved")
            #expect(Array(order.dropFirst()) == ["rf-1:approved", "rf-1:paid"])
            let message = try await store.withConnection { connection in
                try await PostgresOutbox.message(connection, eventID: "rf-1:approved", logger: TestDatabase.logger)
            }
            #expect(message?.attempts == 2)
            #expect(message?.deliveredAt != nil)
        }
    }

    /// With `deliverMany`, a claimed round (the oldest pending message of each key) goes in one
    /// call: no call holds two messages of one key, every message arrives once and in order per
    /// key, and a message refused in a call is retried alone and holds back only its key.
    @Test func aRoundGoesAtOnceThroughDeliverMany() async throws {
        try await TestDatabase.withStore { store in
            let calls = Mutex<[[OutboxMessage]]>([])
            let refusalsLeft = Mutex(1)
            let relay = PostgresOutboxRelay(
                store: store,
                configuration: Self.quickRetries,
                logger: TestDatabase.logger
            ) { messages in
                calls.withLock { $0.append(messages) }
                return messages.map { message -> Result<Void, any Error> in
                    struct Refused: Error {}
                    let refuse = message.eventID == "rf-1:1" && Self.takeOne(refusalsLeft)
                    return refuse ? .failure(Refused()) : .success(())
                }
            }
            let keys = 3
            let perKey = 3
            for step in 0..<perKey {
                for key in 0..<keys {
                    try await Self.enqueueStatus(
                        store,
                        eventID: "rf-\(key):\(step)",
                        orderingKey: "rf-\(key)",
                        payload: [UInt8(step)]
                    )
                }
            }
            let delivered = { () -> [String] in
                calls.withLock { calls in
                    calls.flatMap { $0 }.map(\.eventID)
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                // Every message, plus the one refused attempt.
                try await waitUntil { delivered().count == keys * perKey + 1 }
                group.cancelAll()
            }
            let made = calls.withLock { $0 }
            // The first round holds the head of every key, in one call.
            #expect(made.first.map { Set($0.map(\.eventID)) } == ["rf-0:0", "rf-1:0", "rf-2:0"])
            for call in made {
                #expect(
                    Set(call.map(\.orderingKey)).count == call.count,
                    "two messages of one key in \(call.map(\.eventID))"
                )
            }
            let attempts = delivered()
            #expect(attempts.filter { $0 == "rf-1:1" }.count == 2)
            #expect(Set(attempts).count == keys * perKey)
            for key in 0..<keys {
                // Each key in enqueue order (the refused message's retry comes right after it).
                let steps = attempts.filter { $0.hasPrefix("rf-\(key):") }.map { Int($0.split(separator: ":")[1])! }
                let expected = key == 1 ? [0, 1, 1, 2] : [0, 1, 2]
                #expect(steps == expected, "key rf-\(key): \(steps)")
            }
            let refused = try await store.withConnection { connection in
                try await PostgresOutbox.message(connection, eventID: "rf-1:1", logger: TestDatabase.logger)
            }
            #expect(refused?.attempts == 1)
            #expect(refused?.deliveredAt != nil)
            let pending = try await store.withConnection {
                try await PostgresOutbox.pending($0, logger: TestDatabase.logger)
            }
            #expect(pending.isEmpty)
        }
    }
}
