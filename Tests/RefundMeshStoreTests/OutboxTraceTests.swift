import Foundation
import GRDB
import RefundMeshStore
import RefundMeshTracing
import Synchronization
import Testing

@Suite("Outbox: trace ids and operator views")
struct OutboxTraceTests {
    @Test("a message keeps the trace it was enqueued under and is delivered under it; none without one gets a new id")
    func deliveredUnderItsTrace() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            try await TraceID.$current.withValue("trace-abc") {
                try await store.write { db in
                    try Outbox.enqueue(db, eventID: "traced", destination: "review", kind: "OpenCase", payload: [1])
                }
            }
            try await store.write { db in
                try Outbox.enqueue(db, eventID: "untraced", destination: "review", kind: "OpenCase", payload: [2])
                // An unusable id from a caller is not stored.
                try Outbox.enqueue(
                    db,
                    eventID: "bad",
                    destination: "review",
                    kind: "OpenCase",
                    payload: [3],
                    traceID: "no spaces\n"
                )
            }
            let stored = try await store.read { db in
                try ["traced", "untraced", "bad"].map { try Outbox.message(db, eventID: $0)?.traceID }
            }
            #expect(stored == ["trace-abc", nil, nil])
            let seen = Mutex<[String: String]>([:])
            let relay = OutboxRelay(store: store, logger: testLogger) { message in
                seen.withLock { $0[message.eventID] = TraceID.current ?? "" }
            }
            try await withRunningRelay(relay) {
                let all = try await eventually { seen.withLock { $0.count } == 3 }
                #expect(all)
            }
            let delivered = seen.withLock { $0 }
            #expect(delivered["traced"] == "trace-abc")
            // Without a stored trace the delivery still runs under one, new and well formed.
            #expect(delivered["untraced"]?.count == 32 && delivered["untraced"] != delivered["bad"])
            try store.close()
        }
    }

    @Test("backlog by destination and the oldest pending messages, failing ones on their own")
    func backlogViews() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            let past = Date().addingTimeInterval(-30)
            try await store.write { db in
                for index in 0..<3 {
                    try Outbox.enqueue(
                        db,
                        eventID: "r-\(index)",
                        destination: "review",
                        kind: "K",
                        payload: [],
                        now: past
                    )
                }
                try Outbox.enqueue(db, eventID: "n-0", destination: "notification", kind: "K", payload: [])
                try db.execute(
                    sql: "UPDATE outbox_messages SET attempts = 2, last_error = 'down' WHERE event_id = 'r-0'"
                )
            }
            let backlog = try await store.read { db in try Outbox.backlogByDestination(db) }
            #expect(backlog["review"]?.pendingCount == 3 && backlog["review"]?.failingCount == 1)
            #expect(backlog["notification"]?.pendingCount == 1 && backlog["notification"]?.failingCount == 0)
            #expect((backlog["review"]?.oldestPendingAge ?? .zero) >= .seconds(29))
            let failing = try await store.read { db in try Outbox.oldestPending(db, failingOnly: true) }
            #expect(failing.map(\.eventID) == ["r-0"] && failing.first?.lastError == "down")
            let reviewOnly = try await store.read { db in try Outbox.oldestPending(db, destination: "review", limit: 2)
            }
            #expect(reviewOnly.map(\.eventID) == ["r-0", "r-1"])
            try store.close()
        }
    }

    @Test("an online backup is a sound, consistent copy that opens on its own and refuses to overwrite")
    func backup() async throws {
        try await withTemporaryDirectory { directory in
            let store = try openStore(in: directory)
            try await store.write { db in
                for index in 0..<50 {
                    try Outbox.enqueue(
                        db,
                        eventID: "e-\(index)",
                        destination: "review",
                        kind: "K",
                        payload: [UInt8(index)]
                    )
                }
            }
            let path = directory.appendingPathComponent("backups/copy.sqlite").path
            let result = try await store.backup(to: path)
            #expect(result.integrity == "ok" && result.sizeInBytes > 0)
            let copied = try await DatabaseQueue(path: path).read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox_messages")
            }
            #expect(copied == 50)
            await #expect(throws: StoreError.self) { _ = try await store.backup(to: path) }
            #expect(store.sizeInBytes() > 0)
            try store.close()
        }
    }

    @Test("new trace ids are 32 lower-case hex digits, and 100,000 of them, made on 8 tasks at once, are distinct")
    func newTraceIDs() async {
        let ids = await withTaskGroup(of: [String].self, returning: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<12_500).map { _ in TraceID.make() } } }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(ids.count == 100_000)
        #expect(Set(ids).count == ids.count)
        let hexDigits = Set("0123456789abcdef".utf8)
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy(hexDigits.contains) })
        #expect(ids.allSatisfy { TraceID.validated($0) == $0 })
    }
}
