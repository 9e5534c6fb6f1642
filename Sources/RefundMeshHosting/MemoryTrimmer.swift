import CoreMetrics
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Gives the memory glibc's allocator has freed, but keeps, back to the system every
/// ``interval``, and publishes the process's resident memory.
///
/// glibc returns freed memory to the system only from the top of each heap; whole free pages
/// inside a heap stay resident. Under load a service makes millions of short-lived allocations
/// (decoded requests, rows, log lines) across several threads, and its RSS crept up by about
/// 1 MB a minute while its live heap stayed flat (payment-channel at 11.8 MB, heaptrack;
/// docs/PERFORMANCE.md, "Memory, second look"). `malloc_trim(0)` releases every whole free page
/// of every arena (`madvise`), at the cost of a walk over the free lists. It does not make RSS
/// flat under load; it gives memory back after a burst.
///
/// Series: `refundmesh_resident_memory_bytes` (RSS after the round) and
/// `refundmesh_memory_trimmed_bytes_total` (what the rounds gave back, by RSS).
public struct MemoryTrimmer: Service {
    public let interval: Duration
    private let logger: Logger

    public init(interval: Duration = .seconds(10), logger: Logger) {
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await PeriodicTask("returning freed memory", every: interval, runsAtStart: true, logger: logger) {
            let released = Self.trimOnce()
            if released > 0 {
                logger.debug("returned freed memory to the system", metadata: ["memory.trimmed_bytes": "\(released)"])
            }
        }.run()
    }

    /// One round: trims, records the series, and returns how much resident memory it gave back
    /// (0 if none, or where there is no glibc).
    @discardableResult
    public static func trimOnce() -> Int64 {
        let before = OperationsService.residentBytes()
        _ = mallocTrim?(0)
        let after = OperationsService.residentBytes()
        let released = max(0, before - after)
        Gauge(label: "refundmesh_resident_memory_bytes").record(after)
        Counter(label: "refundmesh_memory_trimmed_bytes_total").increment(by: released)
        return released
    }

    /// glibc's `malloc_trim`, looked up at run time: `<malloc.h>` is not in Swift's Glibc module,
    /// and other C libraries (musl) have no such function. nil there, and rounds only record.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        // RTLD_DEFAULT: the process's global symbols.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
