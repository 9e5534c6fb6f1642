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
/// **Ordering.** Messages to one destination are delivered one at a time in enqueue order, so
/// a message that keeps failing blocks every later message to the same destination until it
/// succeeds (head-of-line blocking, by design: a refund's "approved" must not overtake its
/// "submitted"). Different destinations proceed independently, up to
/// ``Configuration/maximumConcurrentDestinations`` at once.
///
/// **Delivery guarantee.** At least once. A crash between `deliver` returning and the
/// delivered mark committing redelivers that message after restart, so receivers must
/// deduplicate on ``OutboxMessage/eventID`` (``ProcessedEvents``). Run one relay per destination
/// per store file; two relays on the same rows would deliver concurrently and out of order.
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

    /// How many messages a destination's worker delivers before giving its slot back, so a busy
    /// destination cannot starve others when destinations outnumber the concurrency limit.
    static let deliveriesPerTurn = 128

    /// The store whose outbox is relayed.
    public let store: Store
    /// What is delivered and how patiently.
    public let configuration: Configuration
    private let logger: Logger
    private let deliver: Deliver

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
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.deliver = deliver
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
                    case .commit: commitPending.lower()
                    case .drained(let destination): active.remove(destination)
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
                        let deadline = try await dispatch(into: &group, active: &active, wake: wake)
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
    /// Starts a worker for every destination whose head is due and that has none running, as
    /// far as the concurrency limit allows; returns when the loop should look again without
    /// being woken (the soonest retry among blocked heads, or the poll interval).
    private func dispatch(
        into group: inout ThrowingDiscardingTaskGroup<any Error>,
        active: inout Set<String>,
        wake: AsyncStream<RelayWake>.Continuation
    ) async throws -> ContinuousClock.Instant {
        let destinations = configuration.destinations
        let heads = try await store.read { db in try Outbox.pendingHeads(db, destinations: destinations) }
        let now = Date()
        let clockNow = ContinuousClock.now
        var deadline = clockNow + configuration.pollInterval
        for head in heads where !active.contains(head.destination) {
            let wait = head.nextAttemptAt.timeIntervalSince(now)
            if wait > 0 {
                // +1 ms: instants are stored in whole milliseconds; do not wake a hair early.
                deadline = min(deadline, clockNow + .storeSeconds(wait) + .milliseconds(1))
                continue
            }
            guard active.count < configuration.maximumConcurrentDestinations else { continue }
            let destination = head.destination
            active.insert(destination)
            group.addTask {
                defer { wake.yield(.drained(destination)) }
                try await drain(destination)
            }
        }
        return deadline
    }

    /// Delivers `destination`'s due messages in id order until none is due, one fails, its turn
    /// is used up, or shutdown begins.
    private func drain(_ destination: String) async throws {
        var next = try await store.read { db in try Outbox.head(db, destination: destination) }
        var delivered = 0
        while let message = next, message.nextAttemptAt <= Date(), delivered < Self.deliveriesPerTurn {
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            do {
                // Under the trace it was enqueued with, so the call carries it on (``TraceID``).
                try await TraceID.withTrace(message.traceID) { try await deliver(message) }
            } catch {
                if Task.isCancelled { return }
                Counter(label: "refundmesh_outbox_delivery_failures_total", dimensions: [("destination", destination)])
                    .increment()
                try await recordFailure(of: message, error: error)
                return
            }
            delivered += 1
            Counter(label: "refundmesh_outbox_delivered_total", dimensions: [("destination", destination)]).increment()
            // The delivery happened; record it even if we are being cancelled, or it would be
            // delivered again after restart.
            next = try await store.writeIgnoringCancellation { db in
                try Outbox.markDelivered(db, id: message.id)
                return try Outbox.head(db, destination: destination)
            }
        }
    }

    private func recordFailure(of message: OutboxMessage, error: any Error) async throws {
        let attempts = message.attempts + 1
        let delay = configuration.backoff.delay(afterAttempts: attempts)
        let reason = String(String(describing: error).prefix(1000))
        let retryAt = Date().addingTimeInterval(delay.storeSeconds)
        try await store.writeIgnoringCancellation { db in
            try Outbox.recordFailure(db, id: message.id, error: reason, nextAttemptAt: retryAt)
        }
        let metadata: Logger.Metadata = [
            "outbox.event_id": "\(message.eventID)",
            "outbox.destination": "\(message.destination)",
            "outbox.kind": "\(message.kind)",
            "outbox.attempts": "\(attempts)",
            "outbox.retry_in_ms": "\(Int(delay.storeSeconds * 1000))",
            "error": "\(reason)",
        ]
        if Date().timeIntervalSince(message.createdAt) >= configuration.stuckAfter.storeSeconds {
            logger.info("outbox message stuck; later messages to its destination wait for it", metadata: metadata)
        } else {
            logger.debug("outbox delivery failed; will retry", metadata: metadata)
        }
    }

    private func pruneDelivered() async throws {
        let cutoff = Date().addingTimeInterval(-configuration.retention.storeSeconds)
        let pruned = try await store.write { db in try Outbox.pruneDelivered(db, deliveredBefore: cutoff) }
        if pruned > 0 {
            logger.debug("pruned delivered outbox messages", metadata: ["outbox.pruned": "\(pruned)"])
        }
    }
}
