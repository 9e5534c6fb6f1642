import CoreMetrics
import Logging
import Prometheus
import Synchronization

/// The process's metrics: swift-metrics bootstrapped onto a Prometheus registry, whose text
/// exposition the ``MetricsEndpoint`` serves at `/metrics` and the Operations service's
/// `Metrics` call returns (`refundctl top` reads that).
///
/// Libraries record through swift-metrics (`Counter`, `Timer`, `Gauge`) without knowing the
/// backend; only the executable bootstraps it, once.
public enum ServiceMetrics {
    private static let installed = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Bootstraps swift-metrics with a Prometheus registry (once per process; later calls return
    /// the same registry). RPC latencies get buckets from 100 µs to 10 s.
    @discardableResult
    public static func bootstrap() -> PrometheusCollectorRegistry {
        installed.withLock { registry in
            if let registry { return registry }
            let made = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: made)
            factory.defaultDurationHistogramBuckets = [
                .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
                .seconds(5), .seconds(10),
            ]
            MetricsSystem.bootstrap(factory)
            registry = made
            return made
        }
    }

    /// The Prometheus text exposition of every metric recorded so far; empty when metrics were
    /// never bootstrapped (services run in-process by tests).
    public static func exposition() -> String {
        guard let registry = installed.withLock({ $0 }) else { return "" }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
