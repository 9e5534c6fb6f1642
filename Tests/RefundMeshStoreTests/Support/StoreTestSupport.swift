import Foundation
import Logging
import RefundMeshStore
import Synchronization

/// A logger for stores and relays under test: the default handler (nothing is bootstrapped),
/// quiet unless something is wrong. Set `STORE_TEST_LOG=debug` to see the relay's retries.
let testLogger: Logger = {
    var logger = Logger(label: "refundmesh.store.tests")
    logger.logLevel =
        ProcessInfo.processInfo.environment["STORE_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .notice
    return logger
}()

/// Runs `body` with a fresh directory under the system's temporary directory, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("refundmesh-store-tests-\(UUID().uuidString)", isDirectory: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// Opens a store at `directory/data/service.sqlite` (the `data` folder does not exist yet, so
/// every test also covers directory creation).
func openStore(
    in directory: URL,
    synchronous: Store.Configuration.Synchronous = .full,
    migrations: [StoreMigration] = []
) throws -> Store {
    let path = directory.appendingPathComponent("data/service.sqlite").path
    return try Store(
        configuration: Store.Configuration(path: path, synchronous: synchronous),
        migrations: migrations,
        logger: testLogger
    )
}

/// Enqueues one message in its own transaction.
func enqueue(
    _ store: Store,
    _ eventID: String,
    destination: String = "notification",
    kind: String = "Notify",
    payload: [UInt8] = [1, 2, 3]
) async throws {
    try await store.write { db in
        try Outbox.enqueue(db, eventID: eventID, destination: destination, kind: kind, payload: payload)
    }
}

/// Enqueues an ApplyStatus-kind message to intake for each `(event id, ordering key)`, in order.
func enqueueKeyed(_ store: Store, _ messages: [(eventID: String, key: String)]) async throws {
    for (eventID, key) in messages {
        try await store.write { db in
            try Outbox.enqueue(
                db,
                eventID: eventID,
                destination: "intake",
                kind: "ApplyStatus",
                payload: [1],
                orderingKey: key
            )
        }
    }
}

/// Everything a test's `deliver` closure saw, in order.
final class DeliveryLog: Sendable {
    private let state = Mutex<[OutboxMessage]>([])

    func record(_ message: OutboxMessage) {
        state.withLock { $0.append(message) }
    }

    var messages: [OutboxMessage] { state.withLock { $0 } }
    var eventIDs: [String] { messages.map(\.eventID) }
    var count: Int { state.withLock { $0.count } }

    /// How many times each event id was delivered.
    var countsByEventID: [String: Int] {
        messages.reduce(into: [:]) { counts, message in counts[message.eventID, default: 0] += 1 }
    }
}

/// A thread-safe tally, e.g. of how often each migration ran.
final class Tally: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func increment(_ key: String) {
        counts.withLock { $0[key, default: 0] += 1 }
    }

    subscript(key: String) -> Int { counts.withLock { $0[key] ?? 0 } }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
/// For waiting on background work, not for timing assertions.
func eventually(
    timeout: Duration = .seconds(30),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// Runs `relay` in a child task while `body` runs, then cancels it and waits for it to return.
func withRunningRelay<T: Sendable>(_ relay: OutboxRelay, _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await relay.run() }
        do {
            let result = try await body()
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// A delivery failure a test's `deliver` closure throws.
struct DeliveryFailed: Error, CustomStringConvertible {
    var description: String
}
