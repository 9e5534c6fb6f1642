import Foundation
import Logging
import RefundMeshStore
import ServiceLifecycle
import Synchronization
import Testing

@Suite("OutboxRelay: ordering, retries, restart, wake-ups, shutdown")
struct OutboxRelayTests {
    @Test(
        "a failing head is retried with growing delay and last_error recorded; later messages to its destination wait"
    )
    func retriesWithBackoffAndHeadOfLineBlocking() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            try await enqueue(store, "n1", destination: "notification")
            try await enqueue(store, "n2", destination: "notification")
            try await enqueue(store, "r1", destination: "review")

            let attempts = Mutex<[(eventID: String, at: ContinuousClock.Instant)]>([])
            let seenOnSecondAttempt = Mutex<OutboxMessage?>(nil)
            let log = DeliveryLog()
            let configuration = OutboxRelay.Configuration(
                backoff: .init(initial: .milliseconds(100), maximum: .seconds(10), multiplier: 2, jitter: 0)
            )
            let relay = OutboxRelay(store: store, configuration: configuration, logger: testLogger) { message in
                let attempt = attempts.withLock { list in
                    list.append((message.eventID, .now))
                    return list.filter { $0.eventID == message.eventID }.count
                }
                if message.eventID == "n1" && attempt == 2 {
                    let stored = try await store.read { db in try Outbox.message(db, eventID: "n1") }
                    seenOnSecondAttempt.withLock { $0 = stored }
                }
                if message.eventID == "n1" && attempt <= 3 {
                    throw DeliveryFailed(description: "provider down #\(attempt)")
                }
                log.record(message)
            }
            let delivered = try await withRunningRelay(relay) { try await eventually { log.count >= 3 } }
            #expect(delivered)

            // Delay grows: ~100, ~200, ~400 ms between n1's attempts.
            let n1Times = attempts.withLock { $0.filter { $0.eventID == "n1" }.map(\.at) }
            try #require(n1Times.count == 4)
            let gaps = zip(n1Times.dropFirst(), n1Times).map { $0 - $1 }
            // Lower bounds only: a busy machine can stretch a gap, never shorten it.
            #expect(gaps[0] >= .milliseconds(95))
            #expect(gaps[1] >= .milliseconds(195))
            #expect(gaps[2] >= .milliseconds(395))

            // After the first failure the row carried the attempt count and the error.
            let second = try #require(seenOnSecondAttempt.withLock { $0 })
            #expect(second.attempts == 1)
            #expect(second.lastError == "provider down #1")
            let n1 = try #require(try await store.read { db in try Outbox.message(db, eventID: "n1") })
            #expect(n1.attempts == 3)
            #expect(n1.lastError == "provider down #3")
            #expect(n1.deliveredAt != nil)

            // n2 was not even attempted before n1 got through; review was not held up by it.
            let order = attempts.withLock { $0.map(\.eventID) }
            #expect(order.filter { $0.hasPrefix("n") } == ["n1", "n1", "n1", "n1", "n2"])
            #expect(log.eventIDs.firstIndex(of: "r1")! < log.eventIDs.firstIndex(of: "n1")!)
            try store.close()
        }
    }

    @Test("a relay stopped mid-way and a new one on the reopened file deliver everything, nothing twice")
    func restartDeliversRestExactlyOnce() async throws {
        try await withTemporaryDirectory { directory in
            let first = try openStore(in: directory)
            for batch in 0..<4 {
                try await first.write { db in
                    for index in 0..<10 {
                        let number = batch * 10 + index
                        try Outbox.enqueue(
                            db,
                            eventID: String(format: "evt-%03d", number),
                            destination: number.isMultiple(of: 2) ? "review" : "notification",
                            kind: "Event",
                            payload: [UInt8(number)]
                        )
                    }
                }
            }
            let log = DeliveryLog()
            let deliver: OutboxRelay.Deliver = { message in
                // Cancellation during this sleep is a failed delivery: the message stays pending.
                try await Task.sleep(for: .milliseconds(10))
                log.record(message)
            }
            let someDelivered = try await withRunningRelay(
                OutboxRelay(store: first, logger: testLogger, deliver: deliver)
            ) {
                try await eventually { log.count >= 10 }
            }
            #expect(someDelivered)
            let deliveredBeforeRestart = log.count
            #expect(deliveredBeforeRestart < 40)
            try first.close()

            let second = try openStore(in: directory)
            try await withRunningRelay(OutboxRelay(store: second, logger: testLogger, deliver: deliver)) {
                #expect(try await eventually { log.count >= 40 })
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(log.count == 40)
            #expect(log.countsByEventID.values.allSatisfy { $0 == 1 })
            for destination in ["review", "notification"] {
                let ids = log.messages.filter { $0.destination == destination }.map(\.eventID)
                #expect(ids == ids.sorted(), "\(destination) delivered out of order")
            }
            let stats = try await second.read { db in try Outbox.stats(db) }
            #expect(stats.pendingCount == 0)
            try second.close()
        }
    }

    @Test("a commit wakes an idle relay without waiting for its poll")
    func commitWakesRelay() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            let log = DeliveryLog()
            let relay = OutboxRelay(
                store: store,
                configuration: .init(pollInterval: .seconds(60)),
                logger: testLogger
            ) { log.record($0) }
            try await withRunningRelay(relay) {
                try await enqueue(store, "warm-up")
                // Generous waits (a loaded CI machine), still well inside the 60 s poll.
                #expect(try await eventually(timeout: .seconds(30)) { log.count == 1 })
                #expect(
                    try await eventually(timeout: .seconds(30)) {
                        try await store.read { db in try Outbox.stats(db).pendingCount } == 0
                    }
                )
                // The relay is now idle with its next poll a minute away; only the hook can wake it.
                try await Task.sleep(for: .milliseconds(50))
                let start = ContinuousClock.now
                try await enqueue(store, "measured")
                #expect(try await eventually(timeout: .seconds(30)) { log.count == 2 })
                print("store.tests: enqueue→deliver with the commit hook took \(ContinuousClock.now - start)")
            }
            #expect(log.eventIDs == ["warm-up", "measured"])
            try store.close()
        }
    }

    @Test("a round's record is a bookkeeping write: alone in its group it commits without an fsync, and it is kept")
    func marksAreBookkeeping() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            let log = DeliveryLog()
            let relay = OutboxRelay(store: store, logger: testLogger) { log.record($0) }
            try await withRunningRelay(relay) {
                try await enqueue(store, "one")
                #expect(
                    try await eventually(timeout: .seconds(30)) {
                        try await store.read { db in try Outbox.stats(db).pendingCount } == 0
                    }
                )
            }
            // The enqueue committed FULL; the relay's record of the delivery went alone, unsynced.
            let statistics = store.commitStatistics
            #expect(statistics.commits - statistics.unsyncedCommits == 1)
            #expect(statistics.unsyncedCommits >= 1)
            try store.close()
            let reopened = try openStore(in: directory)
            let stats = try await reopened.read { db in try Outbox.stats(db) }
            #expect(stats.pendingCount == 0)
            #expect(log.eventIDs == ["one"])
            try reopened.close()
        }
    }

    @Test("graceful shutdown lets the in-flight delivery finish and record, then starts no other")
    func gracefulShutdownFinishesInFlightDelivery() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            try await enqueue(store, "in-flight")
            try await enqueue(store, "next")
            let started = Mutex(false)
            let release = Mutex(false)
            let log = DeliveryLog()
            let relay = OutboxRelay(store: store, logger: testLogger) { message in
                started.withLock { $0 = true }
                // Task.sleep throws if the relay cancels us: graceful shutdown must not.
                while !release.withLock({ $0 }) {
                    try await Task.sleep(for: .milliseconds(5))
                }
                log.record(message)
            }
            let group = ServiceGroup(
                configuration: .init(services: [relay], gracefulShutdownSignals: [], logger: testLogger)
            )
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(try await eventually { started.withLock { $0 } })
                await group.triggerGracefulShutdown()
                try await Task.sleep(for: .milliseconds(100))
                release.withLock { $0 = true }
                try await tasks.waitForAll()
            }
            #expect(log.eventIDs == ["in-flight"])
            let inFlight = try await store.read { db in try Outbox.message(db, eventID: "in-flight") }
            #expect(inFlight?.deliveredAt != nil)
            let next = try await store.read { db in try Outbox.message(db, eventID: "next") }
            #expect(next?.deliveredAt == nil)
            try store.close()
        }
    }

    @Test("a relay for one destination leaves the others' messages alone")
    func destinationFilter() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            try await enqueue(store, "to-review", destination: "review")
            try await enqueue(store, "to-payment", destination: "payment-channel")
            let log = DeliveryLog()
            let relay = OutboxRelay(
                store: store,
                configuration: .init(destinations: ["review"]),
                logger: testLogger
            ) { log.record($0) }
            try await withRunningRelay(relay) {
                #expect(try await eventually { log.count >= 1 })
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(log.eventIDs == ["to-review"])
            let stats = try await store.read { db in try Outbox.stats(db, destination: "payment-channel") }
            #expect(stats.pendingCount == 1)
            try store.close()
        }
    }

    @Test(
        "in steps (deliverMany): every key's next message goes in one step; a key's next waits for its last; a failure holds back only its key"
    )
    func deliverManyInSteps() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            try await enqueueKeyed(
                store,
                [("a1", "A"), ("b1", "B"), ("a2", "A"), ("c1", "C"), ("c2", "C"), ("a3", "A")]
            )
            let steps = Mutex<[[String]]>([])
            let failuresOfC1 = Mutex(0)
            let configuration = OutboxRelay.Configuration(
                backoff: .init(initial: .milliseconds(200), maximum: .seconds(1), multiplier: 1, jitter: 0)
            )
            let relay = OutboxRelay(store: store, configuration: configuration, logger: testLogger) { messages in
                steps.withLock { $0.append(messages.map(\.eventID)) }
                return messages.map { message -> Result<Void, any Error> in
                    guard message.eventID == "c1" else { return .success(()) }
                    let failures = failuresOfC1.withLock { count in
                        count += 1
                        return count
                    }
                    return failures == 1 ? .failure(DeliveryFailed(description: "intake busy")) : .success(())
                }
            }
            let delivered = try await withRunningRelay(relay) {
                try await eventually {
                    let stats = try await store.read { db in try Outbox.stats(db, destination: "intake") }
                    return stats.pendingCount == 0
                }
            }
            #expect(delivered)
            let seen = steps.withLock { $0 }
            // The first step is every key's oldest message; then A's next, without C's (c1 failed).
            #expect(seen.first.map(Set.init) == ["a1", "b1", "c1"], "\(seen)")
            #expect(seen.dropFirst().first == ["a2"], "\(seen)")
            #expect(seen.dropFirst(2).first == ["a3"], "\(seen)")
            // c1 went again after its backoff, and c2 only after it got through.
            let flat = seen.flatMap { $0 }
            #expect(flat.filter { $0 == "c1" }.count == 2)
            #expect(flat.lastIndex(of: "c1")! < flat.firstIndex(of: "c2")!)
            for step in seen {
                for key in ["a", "b", "c"] { #expect(step.filter { $0.hasPrefix(key) }.count <= 1, "\(step)") }
            }
            try store.close()
        }
    }

    @Test(
        "ordering keys: one key's messages arrive in order, one at a time; other keys go side by side; a failing message holds back only its own key"
    )
    func orderingKeys() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            try await enqueueKeyed(
                store,
                [("a1", "A"), ("b1", "B"), ("a2", "A"), ("c1", "C"), ("b2", "B"), ("a3", "A")]
            )
            let log = DeliveryLog()
            let inFlight = Mutex<Set<String>>([])
            let started = Mutex<Set<String>>([])
            let overlaps = Mutex<[Set<String>]>([])
            let failuresOfA1 = Mutex(0)
            let configuration = OutboxRelay.Configuration(
                backoff: .init(initial: .milliseconds(200), maximum: .seconds(1), multiplier: 1, jitter: 0)
            )
            let relay = OutboxRelay(store: store, configuration: configuration, logger: testLogger) { message in
                started.withLock { _ = $0.insert(message.eventID) }
                inFlight.withLock { flight in
                    flight.insert(message.eventID)
                    overlaps.withLock { $0.append(flight) }
                }
                defer { _ = inFlight.withLock { $0.remove(message.eventID) } }
                if message.eventID == "b1" {
                    // Held until C's message has started too: keys are delivered side by side.
                    _ = try await eventually { started.withLock { $0.contains("c1") } }
                }
                if message.eventID == "a1" {
                    let failures = failuresOfA1.withLock { count in
                        count += 1
                        return count
                    }
                    if failures <= 2 { throw DeliveryFailed(description: "intake busy #\(failures)") }
                }
                log.record(message)
            }
            let delivered = try await withRunningRelay(relay) { try await eventually { log.count >= 6 } }
            #expect(delivered)
            let order = log.eventIDs
            func position(_ id: String) -> Int { order.firstIndex(of: id) ?? -1 }
            // Per key, enqueue order.
            #expect(position("a1") < position("a2") && position("a2") < position("a3"))
            #expect(position("b1") < position("b2"))
            // A's failures held back A only: B and C were all delivered before a1 got through.
            #expect(position("b2") < position("a1") && position("c1") < position("a1"))
            #expect(failuresOfA1.withLock { $0 } == 3)
            // Never two messages of one key at once; c1 started while b1 was in flight.
            let seen = overlaps.withLock { $0 }
            for flight in seen {
                for key in ["a", "b", "c"] { #expect(flight.filter { $0.hasPrefix(key) }.count <= 1) }
            }
            #expect(seen.contains { $0.isSuperset(of: ["b1", "c1"]) })
            #expect(log.countsByEventID.values.allSatisfy { $0 == 1 })
            try store.close()
        }
    }
}
