import CoreMetrics
import Foundation
import Logging
import RefundMeshTracing
import ServiceLifecycle

/// Delivers a store's pending ``Outbox`` messages to their destinations, forever, in order.
///
/// A swift-service-lifecycle `Service`: put one in the service's `ServiceGroup`. For each
/// destination it serves, it hands the oldest pending message to `deliver` (which makes the RPC
/// call); when `deliver` returns, the message is marked delivered, and when it throws, the
/// message is retried after an exponential ``Backoff`` with jitter, with `attempts` and
/// `last_error` recorded. It never gives up: a cross-service effect must happen eventually.
/// Messages waiting longer than ``Configuration/stuckAfter`` are logged and listed by
/// ``stuckMessages()``.
///
/// **Ordering.** Messages to one destination with the same ordering key (``OutboxMessage/orderingKey``,
/// e.g. a refund's id) are delivered one at a time in enqueue order, so a message that keeps
/// failing blocks the later messages of its key until it succeeds (head-of-line blocking, by
/// design: a refund's "approved" must not overtake its "submitted"). Messages of different keys
/// are delivered side by side, up to ``Configuration/maximumInFlightPerDestination`` at once, and
/// their delivered marks share one write. Messages without a key form one key of their own per
/// destination. Different destinations proceed independently, up to
/// ``Configuration/maximumConcurrentDestinations`` at once.
///
/// **Delivery guarantee.** At least once. A crash between `deliver` returning and the
/// delivered mark committing redelivers that message after restart, so receivers must
/// deduplicate on ``OutboxMessage/eventID`` (``ProcessedEvents``). Because of that, a round's
/// marks are a bookkeeping write (``Store/writeBookkeeping(_:)``): alone in their group commit,
/// they do not wait for an fsync, and a power loss soon after can undo them, which also only
/// redelivers. Run one relay per destination per store file; two relays on the same rows would
/// deliver concurrently and out of order.
///
/// **Latency.** Commits that enqueue wake the relay through ``Store/outboxCommits()``, so
/// delivery starts within milliseconds; a poll every ``Configuration/pollInterval`` picks up
/// rows written by other processes or left by a crash.
///
/// **Shutdown.** On graceful shutdown it lets in-flight deliveries finish and records them,
/// starts no new ones and returns. On cancellation, in-flight `deliver` calls are cancelled and
/// their messages stay pending.
public struct OutboxRelay: Service {
    /// Sends one message to its destination; returns when the destination has accepted it and
    /// throws when it has not (the message will be retried).
    public typealias Deliver = @Sendable (OutboxMessage) async throws -> Void

    /// Sends messages that may go at once (no two of one ordering key) and returns each one's
    /// outcome, in order: what lets a destination take many messages in one call (the services'
    /// `OutboxDispatcher` sends ApplyStatus and Publish as batch calls).
    public typealias DeliverMany = @Sendable ([OutboxMessage]) async -> [Result<Void, any Error>]

    /// How many messages a destination's worker delivers before giving its slot back, so a busy
    /// destination cannot starve others when destinations outnumber the concurrency limit.
    static let deliveriesPerTurn = 4096

    /// How many pending messages of a destination one round reads.
    static let roundSize = 512

    /// The store whose outbox is relayed.
    public let store: Store
    /// What is delivered and how patiently.
    public let configuration: Configuration
    private let logger: Logger
    private let deliver: Deliver
    private let deliverMany: DeliverMany?

    /// Creates a relay; it does nothing until ``run()``.
    /// - Parameters:
    ///   - store: The store whose outbox to relay.
    ///   - configuration: Destinations, backoff, poll interval, concurrency, retention.
    ///   - logger: Where retries (debug) and stuck messages (info) are logged.
    ///   - deliver: Sends one message; see ``Deliver``.
    public init(
        store: Store,
        configuration: Configuration = Configuration(),
        logger: Logger,
        deliver: @escaping Deliver
    ) {
        self.init(store: store, configuration: configuration, logger: logger, deliver: deliver, deliverMany: nil)
    }

    /// Creates a relay that hands each round's messages to `deliverMany` in steps: first the
    /// oldest message of every ordering key, then, once those are back, the next of every key
    /// whose message got through, and so on. Each key's messages stay in order, and a failed one
    /// still holds back the later ones of its key.
    /// - Parameters:
    ///   - store: The store whose outbox to relay.
    ///   - configuration: Destinations, backoff, poll interval, concurrency, retention.
    ///   - logger: Where retries (debug) and stuck messages (info) are logged.
    ///   - deliverMany: Sends a step's messages; see ``DeliverMany``.
    public init(
        store: Store,
        configuration: Configuration = Configuration(),
        logger: Logger,
        deliverMany: @escaping DeliverMany
    ) {
        self.init(
            store: store,
            configuration: configuration,
            logger: logger,
            deliver: { message in try await deliverMany([message])[0].get() },
            deliverMany: deliverMany
        )
    }

    private init(
        store: Store,
        configuration: Configuration,
        logger: Logger,
        deliver: @escaping Deliver,
        deliverMany: DeliverMany?
    ) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.deliver = deliver
        self.deliverMany = deliverMany
    }

    /// Delivers until graceful shutdown or cancellation.
    /// - Throws: ``StoreError`` if the store fails (the service group then shuts down).
    public func run() async throws {
        do {
            try await deliverUntilStopped()
        } catch {
            // Cancellation interrupts whatever store call was running; that is a stop, not a failure.
            if Task.isCancelled { return }
            throw error
        }
    }

    private func deliverUntilStopped() async throws {
        // Subscribe before the first scan, so no commit falls between the two.
        let commits = store.outboxCommits()
        let (wakes, wake) = AsyncStream.makeStream(of: RelayWake.self)
        let commitPending = RelayWakeFlag()
        defer { wake.finish() }
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in commits where commitPending.raise() {
                        wake.yield(.commit)
                    }
                }
                var active = Set<String>()
                // Destinations whose due messages all wait behind failed ones of their key, and
                // until when: looking again sooner would find nothing to deliver.
                var notBefore: [String: ContinuousClock.Instant] = [:]
                var timer: (id: Int, deadline: ContinuousClock.Instant)?
                var timersArmed = 0
                var nextPrune = ContinuousClock.now
                var stopping = false
                var events = wakes.makeAsyncIterator()
                var event: RelayWake? = .start
                loop: while let current = event {
                    event = nil
                    switch current {
                    case .start: break
                    case .commit:
                        commitPending.lower()
                        // New messages may have keys of their own, deliverable now.
                        notBefore.removeAll()
                    case .drained(let destination, let blockedUntil):
                        active.remove(destination)
                        notBefore[destination] = blockedUntil
                    case .shutdown: stopping = true
                    case .timer(let id):
                        guard timer?.id == id else {
                            event = await events.next()
                            continue loop
                        }
                        timer = nil
                    }
                    if stopping || Task.isShuttingDownGracefully {
                        if active.isEmpty { break loop }
                    } else {
                        if ContinuousClock.now >= nextPrune {
                            try await pruneDelivered()
                            nextPrune = .now + configuration.pruneInterval
                        }
                        notBefore = notBefore.filter { $0.value > .now }
                        let deadline = try await dispatch(
                            into: &group,
                            active: &active,
                            notBefore: notBefore,
                            wake: wake
                        )
                        if timer.map({ deadline < $0.deadline }) ?? true {
                            timersArmed += 1
                            let id = timersArmed
                            timer = (id, deadline)
                            group.addTask {
                                try? await Task.sleep(until: deadline, clock: .continuous)
                                wake.yield(.timer(id))
                            }
                        }
                    }
                    event = await events.next()
                }
                // Only the commit forwarder and timers are left (or everything, if cancelled).
                group.cancelAll()
            }
        } onGracefulShutdown: {
            wake.yield(.shutdown)
        }
    }

    /// Pending messages of this relay's destinations older than ``Configuration/stuckAfter``,
    /// oldest first.
    public func stuckMessages() async throws -> [OutboxMessage] {
        let threshold = configuration.stuckAfter
        let destinations = configuration.destinations
        return try await store.read { db in
            try Outbox.stuck(db, olderThan: threshold, limit: 1000).filter {
                destinations?.contains($0.destination) ?? true
            }
        }
    }
}

extension OutboxRelay {
    /// Starts a worker for every destination with a due message and none running, as far as the
    /// concurrency limit allows; returns when the loop should look again without being woken
    /// (the soonest retry among waiting messages, or the poll interval).
    private func dispatch(
        into group: inout ThrowingDiscardingTaskGroup<any Error>,
        active: inout Set<String>,
        notBefore: [String: ContinuousClock.Instant],
        wake: AsyncStream<RelayWake>.Continuation
    ) async throws -> ContinuousClock.Instant {
        let destinations = configuration.destinations
        let heads = try await store.read { db in try Outbox.pendingHeads(db, destinations: destinations) }
        let now = Date()
        let clockNow = ContinuousClock.now
        var deadline = clockNow + configuration.pollInterval
        for head in heads where !active.contains(head.destination) {
            let wait = head.nextAttemptAt.timeIntervalSince(now)
            // +1 ms: instants are stored in whole milliseconds; do not wake a hair early.
            var due = wait > 0 ? clockNow + .storeSeconds(wait) + .milliseconds(1) : clockNow
            if let blocked = notBefore[head.destination] { due = max(due, blocked) }
            if due > clockNow {
                deadline = min(deadline, due)
                continue
            }
            guard active.count < configuration.maximumConcurrentDestinations else { continue }
            let destination = head.destination
            active.insert(destination)
            group.addTask {
                var blockedUntil: ContinuousClock.Instant?
                defer { wake.yield(.drained(destination, notBefore: blockedUntil)) }
                blockedUntil = try await drain(destination)
            }
        }
        return deadline
    }

    /// Delivers `destination`'s due messages, round after round, until none is due, its turn is
    /// used up, or shutdown begins. Returns when the earliest message left waiting behind a
    /// failed one of its key is due, if any is.
    ///
    /// A round reads the oldest deliverable messages, splits them by ordering key, delivers
    /// each key's messages in order (up to its first failure) with the keys side by side, then
    /// records the round's outcomes in one write.
    private func drain(_ destination: String) async throws -> ContinuousClock.Instant? {
        var delivered = 0
        while delivered < Self.deliveriesPerTurn {
            if Task.isCancelled || Task.isShuttingDownGracefully { return nil }
            let now = Date()
            let (due, earliestRetry) = try await store.read { db in
                let due = try Outbox.deliverable(db, destination: destination, now: now, limit: Self.roundSize)
                return (due, due.isEmpty ? try Outbox.earliestRetry(db, destination: destination, after: now) : nil)
            }
            guard !due.isEmpty else { return earliestRetry.map(Self.instant) }
            var chains: [[OutboxMessage]] = []
            var chainOfKey: [String?: Int] = [:]
            for message in due {
                if let index = chainOfKey[message.orderingKey] {
                    chains[index].append(message)
                } else {
                    chainOfKey[message.orderingKey] = chains.count
                    chains.append([message])
                }
            }
            let outcome = await deliverRound(chains)
            // The deliveries happened; record them even if we are being cancelled, or they would
            // be made again after restart.
            let failures = outcome.failures.map { failure in
                let delay = configuration.backoff.delay(afterAttempts: failure.message.attempts + 1)
                return (failure, retryAt: Date().addingTimeInterval(delay.storeSeconds))
            }
            let deliveredIDs = outcome.delivered
            // Bookkeeping: a mark lost to a power loss only redelivers (at least once, above),
            // so the round's record does not wait for an fsync of its own.
            try await store.writeBookkeeping { db in
                let deliveredAt = Date()
                for id in deliveredIDs { try Outbox.markDelivered(db, id: id, now: deliveredAt) }
                for (failure, retryAt) in failures {
                    try Outbox.recordFailure(db, id: failure.message.id, error: failure.reason, nextAttemptAt: retryAt)
                }
            }
            let counter = Counter(
                label: "refundmesh_outbox_delivered_total",
                dimensions: [("destination", destination)]
            )
            counter.increment(by: deliveredIDs.count)
            for (failure, retryAt) in failures { logFailure(failure, retryAt: retryAt) }
            delivered += deliveredIDs.count
            // When everything due failed, the next round finds nothing to deliver and returns
            // when the soonest retry is due.
        }
        return nil
    }

    /// What a round's deliveries came to.
    private struct RoundOutcome: Sendable {
        var delivered: [Int64] = []
        var failures: [DeliveryFailure] = []

        /// Counts a failed delivery and keeps it to be recorded with the round.
        mutating func recordFailure(of message: OutboxMessage, _ error: any Error) {
            Counter(
                label: "refundmesh_outbox_delivery_failures_total",
                dimensions: [("destination", message.destination)]
            ).increment()
            failures.append(DeliveryFailure(message: message, reason: String(String(describing: error).prefix(1000))))
        }
    }

    private struct DeliveryFailure: Sendable {
        var message: OutboxMessage
        var reason: String
    }

    /// Delivers each chain's messages in order, stopping a chain at its first failure, with up
    /// to ``Configuration/maximumInFlightPerDestination`` chains at once.
    private func deliverRound(_ chains: [[OutboxMessage]]) async -> RoundOutcome {
        if let deliverMany { return await deliverInSteps(chains, deliverMany) }
        return await withTaskGroup(of: RoundOutcome.self, returning: RoundOutcome.self) { group in
            var outcome = RoundOutcome()
            var next = 0
            func startNext() {
                guard next < chains.count else { return }
                let chain = chains[next]
                next += 1
                group.addTask { await deliverInOrder(chain) }
            }
            for _ in 0..<min(configuration.maximumInFlightPerDestination, chains.count) { startNext() }
            for await chainOutcome in group {
                outcome.delivered += chainOutcome.delivered
                outcome.failures += chainOutcome.failures
                if !Task.isShuttingDownGracefully && !Task.isCancelled { startNext() }
            }
            return outcome
        }
    }

    /// Delivers the chains in steps through `deliverMany`: the next message of every chain still
    /// going, all at once, then the next step.
    private func deliverInSteps(_ chains: [[OutboxMessage]], _ deliverMany: DeliverMany) async -> RoundOutcome {
        var outcome = RoundOutcome()
        var going = chains.map { $0[...] }
        while !going.isEmpty {
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            let step = going.map { $0.first! }
            let results = await deliverMany(step)
            // A cancelled call says nothing about the peer; those messages stay as they were.
            let cancelled = Task.isCancelled
            var next: [ArraySlice<OutboxMessage>] = []
            for (chain, (message, result)) in zip(going, zip(step, results)) {
                switch result {
                case .success:
                    outcome.delivered.append(message.id)
                    if chain.count > 1 { next.append(chain.dropFirst()) }
                case .failure(let error):
                    if cancelled { continue }
                    outcome.recordFailure(of: message, error)
                }
            }
            going = cancelled ? [] : next
        }
        return outcome
    }

    private func deliverInOrder(_ chain: [OutboxMessage]) async -> RoundOutcome {
        var outcome = RoundOutcome()
        for message in chain {
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            do {
                // Under the trace it was enqueued with, so the call carries it on (``TraceID``).
                try await TraceID.withTrace(message.traceID) { try await deliver(message) }
                outcome.delivered.append(message.id)
            } catch {
                // A cancelled call says nothing about the peer; the message stays as it was.
                if Task.isCancelled { break }
                outcome.recordFailure(of: message, error)
                break
            }
        }
        return outcome
    }

    private static func instant(_ date: Date) -> ContinuousClock.Instant {
        // +1 ms: instants are stored in whole milliseconds; do not wake a hair early.
        .now + .storeSeconds(max(0, date.timeIntervalSinceNow)) + .milliseconds(1)
    }

    private func logFailure(_ failure: DeliveryFailure, retryAt: Date) {
        let message = failure.message
        let metadata: Logger.Metadata = [
            "outbox.event_id": "\(message.eventID)",
            "outbox.destination": "\(message.destination)",
            "outbox.kind": "\(message.kind)",
            "outbox.attempts": "\(message.attempts + 1)",
            "outbox.retry_in_ms": "\(Int(max(0, retryAt.timeIntervalSinceNow) * 1000))",
            "error": "\(failure.reason)",
        ]
        if Date().timeIntervalSince(message.createdAt) >= configuration.stuckAfter.storeSeconds {
            logger.info("outbox message stuck; later messages of its key wait for it", metadata: metadata)
        } else {
            logger.debug("outbox delivery failed; will retry", metadata: metadata)
        }
    }

    private func pruneDelivered() async throws {
        let cutoff = Date().addingTimeInterval(-configuration.retention.storeSeconds)
        // Bookkeeping too: a prune undone by a power loss is done again.
        let pruned = try await store.writeBookkeeping { db in try Outbox.pruneDelivered(db, deliveredBefore: cutoff) }
        if pruned > 0 {
            logger.debug("pruned delivered outbox messages", metadata: ["outbox.pruned": "\(pruned)"])
        }
    }
}
