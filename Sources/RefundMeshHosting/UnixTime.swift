import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time as Unix epoch milliseconds, the unit every RefundMesh message uses.
///
/// The process's clock can be started at another moment (``startClock(at:)``,
/// `REFUNDMESH_CLOCK_ORIGIN_MS`) and then runs at real speed; by default it is the system clock.
public enum UnixTime {
    /// Added to the system clock; 0 unless ``startClock(at:)`` moved the clock.
    private static let offsetMs = Atomic<Int64>(0)

    public static func nowMilliseconds() -> Int64 {
        systemMilliseconds() &+ offsetMs.load(ordering: .relaxed)
    }

    /// Makes ``nowMilliseconds()`` read `originMs` now and advance in real time from there.
    public static func startClock(at originMs: Int64) {
        offsetMs.store(originMs &- systemMilliseconds(), ordering: .relaxed)
    }

    private static func systemMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
