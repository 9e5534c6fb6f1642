import CoreMetrics
import Foundation
import GRDB
import Logging
import RefundMeshStore
import ServiceLifecycle

/// A figure a service reads from its own store and publishes as a Prometheus gauge: refunds by
/// state and channel, queue sizes, deliveries waiting.
///
/// `sql` returns one row per label set: the label columns, named as in `labels`, then the value
/// in a column named `value`. Label sets seen before and missing now are set to 0, so a state
/// that empties shows 0 instead of its last count. A label stored as an enum's number is named
/// by its entry in `names` (e.g. `{ "\(RefundState(rawValue: $0))" }`).
public struct StoreGauge: Sendable {
    public var name: String
    public var labels: [String]
    public var sql: String
    public var store: Store
    public var names: [String: @Sendable (Int32) -> String]

    public init(
        name: String,
        labels: [String] = [],
        sql: String,
        store: Store,
        names: [String: @Sendable (Int32) -> String] = [:]
    ) {
        self.name = name
        self.labels = labels
        self.sql = sql
        self.store = store
        self.names = names
    }
}

/// Samples the services' stores for their gauges every ``interval``, as a `Service`:
/// the declared ``StoreGauge``s, and for each store its outbox backlog per destination
/// (`refundmesh_outbox_pending`, `refundmesh_outbox_failing`,
/// `refundmesh_outbox_oldest_age_seconds`) and its size (`refundmesh_store_size_bytes`).
///
/// The declared gauges count whole tables (`GROUP BY state` over every refund ever made), so a
/// pass costs more as the store grows: about 20 ms for 60,000 refunds here, a few percent of a
/// service's CPU at the old 2 s interval (docs/PERFORMANCE.md). The default interval is the
/// compose Prometheus scrape interval (5 s), and a pass that took `d` is followed by a pause of
/// at least `19 × d`, so sampling never takes more than a twentieth of the time however large
/// the tables get; the gauges are then sampled less often, never skipped.
public struct StoreGaugeSampler: Service {
    public let stores: [String: Store]
    public let gauges: [StoreGauge]
    public let interval: Duration
    private let logger: Logger

    public init(stores: [String: Store], gauges: [StoreGauge], interval: Duration = .seconds(5), logger: Logger) {
        self.stores = stores
        self.gauges = gauges
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var seen: [String: Set<[String]>] = [:]
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let began = ContinuousClock.now
            do {
                try await sample(seen: &seen)
            } catch {
                if Task.isCancelled { return }
                logger.notice("sampling store gauges failed; will try again", metadata: ["error": "\(error)"])
            }
            do {
                // Woken by a graceful shutdown too: the service must not wait out a pause to stop.
                let pause = Self.pause(after: ContinuousClock.now - began, interval: interval)
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            } catch {
                return
            }
        }
    }

    /// The wait before the next pass: `interval`, or 19 times the pass just made if that is
    /// longer (sampling takes at most a twentieth of the time).
    static func pause(after pass: Duration, interval: Duration) -> Duration {
        max(interval, pass * 19)
    }

    /// One pass: reads every gauge and sets it.
    func sample(seen: inout [String: Set<[String]>]) async throws {
        for (name, store) in stores {
            let backlog = try await store.read { db in try Outbox.backlogByDestination(db) }
            for (destination, stats) in backlog {
                let dimensions = [("store", name), ("destination", destination)]
                Gauge(label: "refundmesh_outbox_pending", dimensions: dimensions).record(stats.pendingCount)
                Gauge(label: "refundmesh_outbox_failing", dimensions: dimensions).record(stats.failingCount)
                let age = stats.oldestPendingAge.map {
                    Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18
                }
                Gauge(label: "refundmesh_outbox_oldest_age_seconds", dimensions: dimensions).record(age ?? 0)
            }
            let key = "outbox:\(name)"
            let current = Set(backlog.keys.map { [$0] })
            for gone in (seen[key] ?? []).subtracting(current) {
                let dimensions = [("store", name), ("destination", gone[0])]
                Gauge(label: "refundmesh_outbox_pending", dimensions: dimensions).record(0)
                Gauge(label: "refundmesh_outbox_failing", dimensions: dimensions).record(0)
                Gauge(label: "refundmesh_outbox_oldest_age_seconds", dimensions: dimensions).record(0)
            }
            seen[key, default: []].formUnion(current)
            Gauge(label: "refundmesh_store_size_bytes", dimensions: [("store", name)]).record(store.sizeInBytes())
        }
        Gauge(label: "refundmesh_sqlite_memory_bytes").record(Store.sqliteMemoryInUse)
        for gauge in gauges {
            let rows = try await gauge.store.read { db in
                try Row.fetchAll(db, sql: gauge.sql).map { row -> ([String], Double) in
                    let labels = gauge.labels.map { label -> String in
                        let value: DatabaseValue = row[label]
                        if let name = gauge.names[label], let number = Int32.fromDatabaseValue(value) {
                            return name(number)
                        }
                        return value.isNull ? "" : (String.fromDatabaseValue(value) ?? "\(value)")
                    }
                    let value: Double = row["value"] ?? 0
                    return (labels, value)
                }
            }
            var current = Set<[String]>()
            for (labels, value) in rows {
                current.insert(labels)
                Gauge(label: gauge.name, dimensions: Array(zip(gauge.labels, labels))).record(value)
            }
            for gone in (seen[gauge.name] ?? []).subtracting(current) {
                Gauge(label: gauge.name, dimensions: Array(zip(gauge.labels, gone))).record(0)
            }
            seen[gauge.name, default: []].formUnion(current)
        }
    }
}
