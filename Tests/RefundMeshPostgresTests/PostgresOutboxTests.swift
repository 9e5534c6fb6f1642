import Foundation
import PostgresNIO
import RefundMeshStore
import Testing

@testable import RefundMeshPostgres

@Suite("PostgresOutbox: enqueue and claims shared by replicas", .enabled(if: TestDatabase.available, TestDatabase.why))
struct PostgresOutboxTests {
    let logger = TestDatabase.logger

    func enqueue(
        _ store: PostgresStore,
        _ eventID: String,
        key: String?,
        to destination: String = "notification"
    )
        async throws -> Bool
    {
        try await store.transaction { connection in
            try await PostgresOutbox.enqueue(
                connection,
                eventID: eventID,
                destination: destination,
                kind: "Publish",
                payload: Array(eventID.utf8),
                orderingKey: key,
                logger: logger
            )
        }
    }

    func claim(
        _ store: PostgresStore,
        as replica: String,
        limit: Int = 100,
        lease: Duration = .seconds(30),
        now: Date = Date()
    )
        async throws -> [OutboxMessage]
    {
        try await store.transaction { connection in
            try await PostgresOutbox.claim(
                connection,
                destinations: nil,
                replica: replica,
                lease: lease,
                limit: limit,
                now: now,
                logger: logger
            )
        }
    }

    @Test func enqueueIsIdempotentAndRollsBackWithItsTransaction() async throws {
        try await TestDatabase.withStore { store in
            #expect(try await enqueue(store, "rf-1:submitted", key: "rf-1"))
            #expect(try await enqueue(store, "rf-1:submitted", key: "rf-1") == false)
            struct Abandoned: Error {}
            await #expect(throws: Abandoned.self) {
                try await store.transaction { connection in
                    try await PostgresOutbox.enqueue(
                        connection,
                        eventID: "rf-2:submitted",
                        destination: "review",
                        kind: "OpenCase",
                        payload: [1, 2, 3],
                        logger: logger
                    )
                    throw Abandoned()
                }
            }
            let pending = try await store.withConnection { try await PostgresOutbox.pending($0, logger: logger) }
            #expect(pending.map(\.eventID) == ["rf-1:submitted"])
            #expect(pending.first?.payload == Array("rf-1:submitted".utf8))
            #expect(pending.first?.orderingKey == "rf-1")
        }
    }

    /// Only the oldest pending message of each key can be claimed, so a key's messages go out in
    /// order whichever replica takes them.
    @Test func claimsOnlyTheOldestMessageOfEachKey() async throws {
        try await TestDatabase.withStore { store in
            for (event, key) in [("a1", "a"), ("b1", "b"), ("a2", "a"), ("n1", nil), ("n2", nil), ("b2", "b")] {
                _ = try await enqueue(store, event, key: key)
            }
            let first = try await claim(store, as: "replica-1")
            #expect(first.map(\.eventID) == ["a1", "b1", "n1"])
            // Nothing else is claimable while those are pending, by anyone.
            #expect(try await claim(store, as: "replica-2").isEmpty)
            try await store.transaction { connection in
                try await PostgresOutbox.markDelivered(connection, ids: first.map(\.id), logger: logger)
            }
            #expect(try await claim(store, as: "replica-2").map(\.eventID) == ["a2", "n2", "b2"])
        }
    }

    /// Two replicas claiming at the same moment get disjoint sets that together are everything.
    @Test func concurrentClaimsAreDisjoint() async throws {
        try await TestDatabase.withStore { store in
            for index in 0..<200 { _ = try await enqueue(store, "e\(index)", key: "k\(index)") }
            let claims = try await withThrowingTaskGroup(of: [OutboxMessage].self, returning: [[OutboxMessage]].self) {
                group in
                for replica in ["replica-1", "replica-2", "replica-3", "replica-4"] {
                    group.addTask {
                        var mine: [OutboxMessage] = []
                        // Bounded: if claims ever handed out claimed rows again, this must fail, not spin.
                        for _ in 0..<100 {
                            let round = try await claim(store, as: replica, limit: 7)
                            if round.isEmpty { break }
                            mine += round
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let ids = claims.flatMap { $0.map(\.id) }
            #expect(ids.count == 200)
            #expect(Set(ids).count == 200)
        }
    }

    @Test func failureIsRecordedOnlyByTheClaimHolderAndWaitsForItsRetry() async throws {
        try await TestDatabase.withStore { store in
            _ = try await enqueue(store, "x1", key: "x")
            _ = try await enqueue(store, "x2", key: "x")
            let now = Date()
            let claimed = try await claim(store, as: "replica-1", lease: .seconds(5), now: now)
            #expect(claimed.map(\.eventID) == ["x1"])
            let id = try #require(claimed.first?.id)
            let retryAt = now.addingTimeInterval(2)
            let (byOther, byHolder) = try await store.transaction { connection in
                (
                    try await PostgresOutbox.recordFailure(
                        connection,
                        id: id,
                        replica: "replica-2",
                        error: "not mine",
                        nextAttemptAt: retryAt,
                        logger: logger
                    ),
                    try await PostgresOutbox.recordFailure(
                        connection,
                        id: id,
                        replica: "replica-1",
                        error: "peer unavailable",
                        nextAttemptAt: retryAt,
                        logger: logger
                    )
                )
            }
            #expect(byOther == false)
            #expect(byHolder)
            // Until the retry is due, neither x1 nor x2 behind it is claimable.
            #expect(try await claim(store, as: "replica-2", now: now.addingTimeInterval(1)).isEmpty)
            let retried = try await claim(store, as: "replica-2", now: now.addingTimeInterval(2.5))
            #expect(retried.map(\.eventID) == ["x1"])
            #expect(retried.first?.attempts == 1)
            #expect(retried.first?.lastError == "peer unavailable")
        }
    }

    /// A replica that dies holding claims: once the lease runs out, another replica takes the
    /// messages over.
    @Test func expiredClaimIsTakenOver() async throws {
        try await TestDatabase.withStore { store in
            _ = try await enqueue(store, "y1", key: "y")
            let now = Date()
            #expect(try await claim(store, as: "dead-replica", lease: .seconds(10), now: now).count == 1)
            #expect(try await claim(store, as: "replica-2", now: now.addingTimeInterval(9)).isEmpty)
            let next = try await store.withConnection { connection in
                try await PostgresOutbox.nextDue(connection, destinations: nil, after: now, logger: logger)
            }
            #expect(next.map { abs($0.timeIntervalSince(now) - 10) < 0.01 } == true)
            #expect(try await claim(store, as: "replica-2", now: now.addingTimeInterval(10)).map(\.eventID) == ["y1"])
        }
    }
}
