import Foundation
import GRDB
import RefundMeshStore
import Testing

@Suite("ProcessedEvents: idempotent receipt")
struct ProcessedEventsTests {
    struct Abort: Error {}

    @Test("claim is true the first time and false afterwards, also after reopening the file")
    func claimOnceAcrossReopen() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            #expect(try await store.write { db in try ProcessedEvents.claim(db, eventID: "evt-1") })
            #expect(try await !store.write { db in try ProcessedEvents.claim(db, eventID: "evt-1") })
            try store.close()

            let reopened = try openStore(in: directory)
            #expect(try await !reopened.write { db in try ProcessedEvents.claim(db, eventID: "evt-1") })
            #expect(try await reopened.write { db in try ProcessedEvents.claim(db, eventID: "evt-2") })
            try reopened.close()
        }
    }

    @Test("many concurrent claims of one id, through one store and through two on the same file: exactly one wins")
    func concurrentClaims() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            let other = try openStore(in: directory)
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<64 {
                    let target = index.isMultiple(of: 2) ? store : other
                    group.addTask { try await target.write { db in try ProcessedEvents.claim(db, eventID: "evt-x") } }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
            try other.close()
            try store.close()
        }
    }

    @Test("a claim rolled back with its failed effect leaves the event unprocessed")
    func claimRollsBackWithEffect() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            await #expect(throws: Abort.self) {
                try await store.write { db in
                    _ = try ProcessedEvents.claim(db, eventID: "evt-1")
                    throw Abort()
                }
            }
            #expect(try await store.write { db in try ProcessedEvents.claim(db, eventID: "evt-1") })
            try store.close()
        }
    }

    @Test("once applies the effect the first time and replays the stored response for a duplicate (R-A8)")
    func onceReplaysStoredResponse() async throws {
        try await withTemporaryDirectory { directory in
            let v1 = StoreMigration("test.v1") { db in try db.execute(sql: "CREATE TABLE refunds (id TEXT PRIMARY KEY)")
            }
            let store = try openStore(in: directory, migrations: [v1])
            let submit: @Sendable (String) async throws -> ProcessedEvents.Outcome = { refundID in
                try await store.write { db in
                    try ProcessedEvents.once(db, eventID: "key-42") {
                        try db.execute(sql: "INSERT INTO refunds VALUES (?)", arguments: [refundID])
                        return Array(refundID.utf8)
                    }
                }
            }
            #expect(try await submit("refund-1") == .performed(Array("refund-1".utf8)))
            // The retry would create a second refund; it gets the first one's answer instead.
            #expect(try await submit("refund-2") == .replayed(Array("refund-1".utf8)))
            let refunds = try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM refunds") }
            #expect(refunds == 1)
            let record = try await store.read { db in try ProcessedEvents.lookup(db, eventID: "key-42") }
            #expect(record?.result == Array("refund-1".utf8))
            try store.close()
        }
    }
}
