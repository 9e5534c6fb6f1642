import Foundation
import PostgresNIO
import RefundMeshStore
import Synchronization
import Testing

@testable import RefundMeshPostgres

/// `ProcessedEvents` on PostgreSQL, through the services' path (`PostgresStore.write` and a
/// `SQLSession`): each event applied once, also when two replicas receive it at once.
@Suite("ProcessedEvents on PostgreSQL: each event applied once", .enabled(if: TestDatabase.available, TestDatabase.why))
struct PostgresProcessedEventsTests {
    let logger = TestDatabase.logger

    @Test func firstReplayAndConflict() async throws {
        try await TestDatabase.withStore { store in
            func claim(_ bytes: [UInt8]) async throws -> ProcessedEvents.Claim {
                try await store.write { db in try ProcessedEvents.claim(db, eventID: "rf-1:paid", request: bytes) }
            }
            let first = try await claim([1, 2, 3])
            let again = try await claim([1, 2, 3])
            let other = try await claim([9])
            #expect(first == .first)
            #expect(again == .replay)
            #expect(other == .conflict(stored: [1, 2, 3]))
        }
    }

    @Test func aRolledBackClaimIsNotKept() async throws {
        try await TestDatabase.withStore { store in
            struct EffectFailed: Error {}
            await #expect(throws: EffectFailed.self) {
                try await store.write { db in
                    _ = try ProcessedEvents.claim(db, eventID: "e-1", request: [])
                    throw EffectFailed()
                }
            }
            let outcome = try await store.write { db in try ProcessedEvents.once(db, eventID: "e-1") { [7] } }
            #expect(outcome == .performed([7]))
            let again = try await store.write { db in
                try ProcessedEvents.once(db, eventID: "e-1") {
                    Issue.record("the effect ran twice")
                    return [8]
                }
            }
            #expect(again == .replayed([7]))
        }
    }

    /// Two replicas receive the same 50 events at once (a relay's retry racing the first
    /// delivery): each event's effect is applied by exactly one of them.
    @Test func replicasRacingOnOneEventApplyItOnce() async throws {
        try await TestDatabase.withDatabase { configuration in
            let replicas = (0..<2).map { _ in PostgresStore(configuration: configuration, logger: logger) }
            try await TestDatabase.running(replicas) {
                try await replicas[0].migrate([
                    PostgresMigration(
                        "t.v1.effects",
                        ["CREATE TABLE effects (event_id TEXT NOT NULL, replica INT NOT NULL)"]
                    )
                ])
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for event in 0..<50 {
                        for (index, replica) in replicas.enumerated() {
                            group.addTask {
                                try await replica.write { db in
                                    let claim = try ProcessedEvents.claim(
                                        db,
                                        eventID: "ev-\(event)",
                                        request: [UInt8(event)]
                                    )
                                    guard claim == .first else { return }
                                    try db.run("INSERT INTO effects VALUES (?, ?)", ["ev-\(event)", index])
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let (count, distinct) = try await replicas[1].withConnection { connection in
                    try await connection.query(
                        "SELECT COUNT(*)::bigint, COUNT(DISTINCT event_id)::bigint FROM effects",
                        logger: logger
                    ).collect().first!.decode((Int64, Int64).self)
                }
                #expect(count == 50)
                #expect(distinct == 50)
            }
        }
    }
}
