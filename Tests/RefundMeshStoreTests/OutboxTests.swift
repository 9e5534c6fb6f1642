import Foundation
import GRDB
import RefundMeshStore
import Testing

@Suite("Outbox: enqueue inside the caller's transaction")
struct OutboxTests {
    struct Abort: Error {}

    @Test("a message enqueued in a rolled-back transaction is never delivered; a committed one exactly once")
    func onlyCommittedMessagesAreDelivered() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            await #expect(throws: Abort.self) {
                try await store.write { db in
                    try Outbox.enqueue(
                        db,
                        eventID: "rolled-back",
                        destination: "notification",
                        kind: "Notify",
                        payload: [9]
                    )
                    throw Abort()
                }
            }
            try await enqueue(store, "committed", payload: [1, 2, 3])
            try await enqueue(store, "empty-payload", payload: [])
            let log = DeliveryLog()
            let relay = OutboxRelay(store: store, logger: testLogger) { log.record($0) }
            try await withRunningRelay(relay) {
                #expect(try await eventually { log.count >= 2 })
                // Give a wrongly stored or duplicated message time to show up.
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(log.countsByEventID == ["committed": 1, "empty-payload": 1])
            #expect(log.messages.first?.payload == [1, 2, 3])
            #expect(log.messages.last?.payload == [])
            let rolledBack = try await store.read { db in try Outbox.message(db, eventID: "rolled-back") }
            #expect(rolledBack == nil)
            try store.close()
        }
    }

    @Test("enqueueing the same event id in two transactions stores and delivers it once")
    func enqueueIsIdempotentOnEventID() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            let first = try await store.write { db in
                try Outbox.enqueue(db, eventID: "evt-1", destination: "review", kind: "Submit", payload: [1])
            }
            let second = try await store.write { db in
                try Outbox.enqueue(db, eventID: "evt-1", destination: "review", kind: "Submit", payload: [1])
            }
            #expect(first)
            #expect(!second)
            let rows = try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox_messages") }
            #expect(rows == 1)
            try store.close()
        }
    }

    @Test("messages committed before a crash are delivered after reopening, each once")
    func pendingMessagesSurviveReopen() async throws {
        try await withTemporaryDirectory { directory in
            let before = try openStore(in: directory)
            for index in 1...3 {
                try await enqueue(before, "evt-\(index)")
            }
            // "Crash": close without any relay having run.
            try before.close()

            let after = try openStore(in: directory)
            let stats = try await after.read { db in try Outbox.stats(db) }
            #expect(stats.pendingCount == 3)
            #expect(stats.oldestPendingAge != nil)

            let log = DeliveryLog()
            let relay = OutboxRelay(store: after, logger: testLogger) { log.record($0) }
            try await withRunningRelay(relay) {
                #expect(try await eventually { log.count >= 3 })
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(log.eventIDs == ["evt-1", "evt-2", "evt-3"])
            let drained = try await after.read { db in try Outbox.stats(db) }
            #expect(drained.pendingCount == 0)
            #expect(drained.oldestPendingAge == nil)
            try after.close()
        }
    }

    @Test("stats count pending and failing messages; stuck lists the old ones; prune drops delivered ones")
    func statsStuckAndPrune() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            let hourAgo = Date().addingTimeInterval(-3600)
            try await store.write { db in
                try Outbox.enqueue(db, eventID: "old", destination: "payment", kind: "Pay", payload: [], now: hourAgo)
                try Outbox.enqueue(db, eventID: "new", destination: "payment", kind: "Pay", payload: [])
                try Outbox.enqueue(db, eventID: "done", destination: "review", kind: "Submit", payload: [])
                try db.execute(sql: "UPDATE outbox_messages SET attempts = 2 WHERE event_id = 'old'")
                try db.execute(
                    sql: "UPDATE outbox_messages SET delivered_at = ? WHERE event_id = 'done'",
                    arguments: [Int64(hourAgo.timeIntervalSince1970 * 1000)]
                )
            }
            let stats = try await store.read { db in try Outbox.stats(db) }
            #expect(stats.pendingCount == 2)
            #expect(stats.failingCount == 1)
            #expect((stats.oldestPendingAge ?? .zero) >= .seconds(3599))
            let stuck = try await store.read { db in try Outbox.stuck(db, olderThan: .seconds(300)) }
            #expect(stuck.map(\.eventID) == ["old"])
            let pruned = try await store.write { db in
                try Outbox.pruneDelivered(db, deliveredBefore: Date().addingTimeInterval(-60))
            }
            #expect(pruned == 1)
            let done = try await store.read { db in try Outbox.message(db, eventID: "done") }
            #expect(done == nil)
            try store.close()
        }
    }
}
