import CoreMetrics
import Foundation
import Logging
import RefundMeshStore
import RefundMeshTracing
import ServiceLifecycle

/// Delivers a PostgreSQL store's outbox, side by side with the relays of the service's other
/// replicas: each round it claims due messages (``PostgresOutbox/claim(_:destinations:replica:lease:limit:now:)``,
/// `FOR UPDATE SKIP LOCKED`), delivers them, and records the outcome, so N replicas share the work
/// and no message is delivered by two of them while its claim holds.
///
/// The guarantees are the SQLite ``RefundMeshStore/OutboxRelay``'s: at least once, in order per
/// ordering key (only a key's oldest pending message can be claimed), retried after an
/// exponential backoff forever. Commits that enqueue wake every replica's relay through
/// `LISTEN`/`NOTIFY` on ``PostgresOutbox/channel``; a poll picks up what a lost notification or
/// an expired claim leaves.
///
/// **Leases.** While a round's deliveries are out, its claims are renewed every third of
/// ``Configuration/lease``; a replica that stops renewing (it died, or lost the database) loses
/// them when the lease runs out.
///
/// **Shutdown.** On graceful shutdown it finishes the round in flight, records it, lets go of the
/// claims it did not get to, and returns. If the process dies instead, its claims expire after
/// ``Configuration/lease`` and another replica delivers those messages again.
public struct PostgresOutboxRelay: Service {
    /// What a relay delivers, as which replica, and how patiently.
    public struct Configuration: Sendable {
        /// This replica's name, recorded on the messages it claims. Default: host name and pid.
        public var replica: String
        /// The destinations this relay serves; nil (the default) for every destination.
        public var destinations: Set<String>?
        /// How long a claim holds before another replica may take the message over: longer than
        /// a delivery can take. Default 30 s.
        public var lease: Duration
        /// The most messages one round claims. Default 256.
        public var roundSize: Int
        /// How many deliveries are in flight at once, each of another ordering key. Default 64.
        public var maximumInFlight: Int
        /// How often the relay looks without being woken. Default 1 s.
        public var pollInterval: Duration
        /// Retry delays after failed deliveries.
        public var backoff: OutboxRelay.Backoff
        /// How long delivered messages are kept (enqueue stays idempotent that long). Default 24 h.
        public var retention: Duration
        /// How often delivered messages past ``retention`` are pruned. Default 60 s.
        public var pruneInterval: Duration

        /// Creates a configuration; every parameter has the documented default.
        public init(
            replica: String = Self.defaultReplicaName,
            destinations: Set<String>? = nil,
            lease: Duration = .seconds(30),
            roundSize: Int = 256,
            maximumInFlight: Int = 64,
            pollInterval: Duration = .seconds(1),
            backoff: OutboxRelay.Backoff = OutboxRelay.Backoff(),
            retention: Duration = .seconds(24 * 3600),
            pruneInterval: Duration = .seconds(60)
        ) {
            self.replica = replica
            self.destinations = destinations
            self.lease = lease
            self.roundSize = max(1, roundSize)
            self.maximumInFlight = max(1, maximumInFlight)
            self.pollInterval = pollInterval
            self.backoff = backoff
            self.retention = retention
            self.pruneInterval = pruneInterval
        }

        /// `host-pid`: unique among the replicas of one deployment.
        public static var defaultReplicaName: String {
            "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        }
    }

    /// The store whose outbox is relayed.
    public let store: PostgresStore
    /// What is delivered, as which replica.
    public let configuration: Configuration
    private let logger: Logger
    private let delivery: Delivery

    /// How a round's messages go out.
    private enum Delivery: Sendable {
        /// One call per message, up to ``Configuration/maximumInFlight`` at once.
        case one(OutboxRelay.Deliver)
        /// The whole round in one go: a round holds only the oldest pending message of each
        /// ordering key, so they may all go at once, and the dispatcher sends those of one batch
        /// method to one peer as batch calls.
        case many(OutboxRelay.DeliverMany)
    }

    /// Creates a relay; it does nothing until ``run()``.
    /// - Parameter deliver: Sends one message; returns when the destination accepted it, throws
    ///   when it did not (the message is retried).
    public init(
        store: PostgresStore,
        configuration: Configuration = Configuration(),
        logger: Logger,
        deliver: @escaping OutboxRelay.Deliver
    ) {
        self.init(store: store, configuration: configuration, logger: logger, delivery: .one(deliver))
    }

    /// Creates a relay that hands each round's messages to `deliverMany` at once, as the SQLite
    /// relay hands it a step (``RefundMeshStore/OutboxRelay/DeliverMany``); it does nothing until
    /// ``run()``.
    public init(
        store: PostgresStore,
        configuration: Configuration = Configuration(),
        logger: Logger,
        deliverMany: @escaping OutboxRelay.DeliverMany
    ) {
        self.init(store: store, configuration: configuration, logger: logger, delivery: .many(deliverMany))
    }

    private init(store: PostgresStore, configuration: Configuration, logger: Logger, delivery: Delivery) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.delivery = delivery
    }

    /// Delivers until graceful shutdown or cancellation.
    public func run() async throws {
        let signal = RelaySignal()
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await listen(signal) }
                defer { group.cancelAll() }
                var nextPrune = ContinuousClock.now
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    if ContinuousClock.now >= nextPrune {
                        try await prune()
                        nextPrune = .now + configuration.pruneInterval
                    }
                    let claimed = try await deliverRound()
                    // After a round that claimed anything, look again at once: more may be due.
                    // Only an empty round asks when to look next and waits.
                    guard claimed == 0 else { continue }
                    let now = Date()
                    var deadline = ContinuousClock.now + configuration.pollInterval
                    if let due = try await store.withConnection({ connection in
                        try await PostgresOutbox.nextDue(
                            connection,
                            destinations: configuration.destinations,
                            after: now,
                            logger: logger
                        )
                    }) {
                        // +1 ms: instants are stored in whole milliseconds.
                        let wait = Duration.milliseconds(
                            max(0, due.millisecondsSince1970 - now.millisecondsSince1970) + 1
                        )
                        deadline = min(deadline, .now + wait)
                    }
                    await signal.wait(until: deadline)
                }
            }
        } onGracefulShutdown: {
            signal.raise()
        }
    }

    /// Claims a round, delivers it, records it; returns how many messages it claimed.
    func deliverRound() async throws -> Int {
        let replica = configuration.replica
        let claimed = try await store.transaction { connection in
            try await PostgresOutbox.claim(
                connection,
                destinations: configuration.destinations,
                replica: replica,
                lease: configuration.lease,
                limit: configuration.roundSize,
                logger: logger
            )
        }
        guard !claimed.isEmpty else { return 0 }
        // Keep the claims alive while the round delivers, so a slow peer does not let another
        // replica take the messages over and deliver them a second time.
        let outcome = await withTaskGroup(of: Outcome?.self, returning: Outcome.self) { group in
            group.addTask {
                switch delivery {
                case .one(let deliver): await deliverAll(claimed, deliver)
                case .many(let deliverMany): await deliverAtOnce(claimed, deliverMany)
                }
            }
            group.addTask {
                await renewClaims(claimed.map(\.id))
                return nil
            }
            var outcome = Outcome()
            for await result in group {
                guard let result else { continue }
                outcome = result
                group.cancelAll()
            }
            return outcome
        }
        let failures = outcome.failures.map { failure in
            let delay = configuration.backoff.delay(afterAttempts: failure.message.attempts + 1)
            return (failure, retryAt: Date().addingTimeInterval(Double(delay.milliseconds) / 1000))
        }
        // Recorded even when the relay is being stopped (an unstructured task does not inherit the
        // cancellation): a delivery that happened but was not recorded would be made again by
        // another replica once the claim ran out.
        let store = self.store
        let record = Task {
            try await Self.record(outcome, failures: failures, replica: replica, store: store, logger: logger)
        }
        try await record.value
        let deliveredIDs = Set(outcome.delivered)
        for (destination, count) in Dictionary(
            grouping: claimed.filter { deliveredIDs.contains($0.id) },
            by: \.destination
        )
        .mapValues(\.count) {
            Counter(
                label: "refundmesh_outbox_delivered_total",
                dimensions: [("destination", destination), ("replica", replica)]
            ).increment(by: count)
        }
        for (failure, retryAt) in failures {
            logger.debug(
                "outbox delivery failed; will retry",
                metadata: [
                    "outbox.event_id": "\(failure.message.eventID)",
                    "outbox.destination": "\(failure.message.destination)",
                    "outbox.attempts": "\(failure.message.attempts + 1)",
                    "outbox.retry_in_ms": "\(Int(max(0, retryAt.timeIntervalSinceNow) * 1000))",
                    "error": "\(failure.reason)",
                ]
            )
        }
        return claimed.count
    }

    /// Records a round in one transaction: deliveries, failures (only while this replica holds
    /// the claim) and the claims it did not get to.
    private static func record(
        _ outcome: Outcome,
        failures: [(failure: Failure, retryAt: Date)],
        replica: String,
        store: PostgresStore,
        logger: Logger
    ) async throws {
        try await store.transaction { connection in
            try await PostgresOutbox.markDelivered(connection, ids: outcome.delivered, logger: logger)
            for (failure, retryAt) in failures {
                try await PostgresOutbox.recordFailure(
                    connection,
                    id: failure.message.id,
                    replica: replica,
                    error: failure.reason,
                    nextAttemptAt: retryAt,
                    logger: logger
                )
            }
            try await PostgresOutbox.release(connection, ids: outcome.notTried, replica: replica, logger: logger)
        }
    }

    private struct Outcome: Sendable {
        var delivered: [Int64] = []
        var failures: [Failure] = []
        var notTried: [Int64] = []
    }

    private struct Failure: Sendable {
        var message: OutboxMessage
        var reason: String
    }

    /// Delivers every claimed message (each the oldest of its key, so none waits for another),
    /// up to ``Configuration/maximumInFlight`` at once; after shutdown begins, starts no more.
    private func deliverAll(_ messages: [OutboxMessage], _ deliver: @escaping OutboxRelay.Deliver) async -> Outcome {
        await withTaskGroup(of: (OutboxMessage, String?).self, returning: Outcome.self) { group in
            var outcome = Outcome()
            var next = 0
            func startNext() -> Bool {
                guard next < messages.count, !Task.isCancelled, !Task.isShuttingDownGracefully else { return false }
                let message = messages[next]
                next += 1
                group.addTask {
                    do {
                        try await TraceID.withTrace(message.traceID) { try await deliver(message) }
                        return (message, nil)
                    } catch {
                        return (message, String(String(describing: error).prefix(1000)))
                    }
                }
                return true
            }
            for _ in 0..<configuration.maximumInFlight where !startNext() { break }
            for await (message, failure) in group {
                if let failure {
                    outcome.failures.append(Failure(message: message, reason: failure))
                } else {
                    outcome.delivered.append(message.id)
                }
                _ = startNext()
            }
            outcome.notTried = messages[next...].map(\.id)
            return outcome
        }
    }

    /// Delivers every claimed message through one `deliverMany` (each is the oldest of its key,
    /// so they may all go at once); after shutdown begins, starts none.
    private func deliverAtOnce(_ messages: [OutboxMessage], _ deliverMany: OutboxRelay.DeliverMany) async -> Outcome {
        var outcome = Outcome()
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else {
            outcome.notTried = messages.map(\.id)
            return outcome
        }
        let results = await deliverMany(messages)
        // A cancelled call says nothing about the peer: those claims are let go, not failed.
        let cancelled = Task.isCancelled
        for (message, result) in zip(messages, results) {
            switch result {
            case .success:
                outcome.delivered.append(message.id)
            case .failure where cancelled:
                outcome.notTried.append(message.id)
            case .failure(let error):
                outcome.failures.append(
                    Failure(message: message, reason: String(String(describing: error).prefix(1000)))
                )
            }
        }
        return outcome
    }

    /// Extends the lease on `ids` every third of it until cancelled (the round is done). A claim
    /// another replica has taken over meanwhile is left alone; a failed renewal is retried at the
    /// next turn (the lease still has two thirds to run).
    private func renewClaims(_ ids: [Int64]) async {
        let every = configuration.lease / 3
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: every)
                _ = try await store.withConnection { connection in
                    try await PostgresOutbox.renew(
                        connection,
                        ids: ids,
                        replica: configuration.replica,
                        lease: configuration.lease,
                        logger: logger
                    )
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("could not renew outbox claims", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Raises `signal` on every `NOTIFY` for one of this relay's destinations, reconnecting after
    /// a second if the listening connection breaks.
    private func listen(_ signal: RelaySignal) async {
        let destinations = configuration.destinations
        while !Task.isCancelled {
            do {
                _ = try await store.withConnection { connection in
                    try await connection.listen(on: PostgresOutbox.channel) { notifications in
                        // What committed before LISTEN took effect is found by the next round.
                        signal.raise()
                        for try await notification in notifications
                        where destinations?.contains(notification.payload) ?? true {
                            signal.raise()
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("outbox LISTEN connection lost; polling until it is back", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func prune() async throws {
        let cutoff = Date().addingTimeInterval(-Double(configuration.retention.milliseconds) / 1000)
        let pruned = try await store.withConnection { connection in
            try await PostgresOutbox.pruneDelivered(connection, deliveredBefore: cutoff, logger: logger)
        }
        if pruned > 0 {
            logger.debug("pruned delivered outbox messages", metadata: ["outbox.pruned": "\(pruned)"])
        }
    }
}
