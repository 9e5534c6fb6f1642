import Logging
import Synchronization

/// The id that follows one refund's work across every service it touches: the RPC calls it
/// causes (metadata key ``metadataKey``), the outbox messages they enqueue (stored with each
/// message and sent again on delivery), and every log line written while that work runs
/// (log metadata key `trace.id`, added by ``metadataProvider``).
///
/// It rides in a task-local (``current``): the RPC server sets it around each handler, the
/// outbox relay around each delivery, background workers around the work of one refund. Code in
/// between needs to do nothing to keep it.
public enum TraceID {
    /// The RPC metadata key that carries it.
    public static let metadataKey = "x-trace-id"
    /// The log metadata key it is written under.
    public static let logKey = "trace.id"

    /// The trace of the work running on this task; nil outside any.
    @TaskLocal public static var current: String?

    /// A new id: 32 lower-case hex digits, the W3C trace-context trace-id format, so it can be
    /// handed to a tracing system as it is.
    ///
    /// Unique within the process (a counter) and unpredictable across processes (two seeds from
    /// the system's random source, read once), each half scrambled by SplitMix64's bijective
    /// finalizer, so each half alone is unique within the process too. Not a secret: it needs no
    /// system call per id (asking the kernel for 16 random bytes on every call without a trace
    /// cost a few percent of a busy server).
    public static func make() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        let high = scramble(seeds.high &+ count)
        let low = scramble(seeds.low ^ count)
        // 32 lowercase hex digits written straight into the string's storage (one allocation;
        // `String(_:radix:)` plus padding and concatenation made four).
        return String(unsafeUninitializedCapacity: 32) { buffer in
            let digits: StaticString = "0123456789abcdef"
            digits.withUTF8Buffer { digits in
                for index in 0..<16 {
                    let shift = UInt64(60 - 4 * index)
                    buffer[index] = digits[Int((high >> shift) & 0xF)]
                    buffer[16 + index] = digits[Int((low >> shift) & 0xF)]
                }
            }
            return 32
        }
    }

    private static let seeds: (high: UInt64, low: UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()

    private static let counter = Atomic<UInt64>(0)

    /// SplitMix64's finalizer: a bijection on 64 bits, so distinct inputs give distinct outputs.
    private static func scramble(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `candidate` if it is usable as a trace id (1…64 characters of letters, digits, `-` and
    /// `_`), else nil: ids from callers are logged and stored, so nothing else gets through.
    public static func validated(_ candidate: String?) -> String? {
        guard let candidate, !candidate.isEmpty, candidate.utf8.count <= 64 else { return nil }
        let allowed = candidate.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F
        }
        return allowed ? candidate : nil
    }

    /// Runs `body` with `id` as the current trace (a new one when `id` is nil or unusable).
    public static func withTrace<Result>(
        _ id: String?,
        _ body: () async throws -> Result
    ) async rethrows -> Result {
        try await $current.withValue(validated(id) ?? make()) { try await body() }
    }

    /// Adds `trace.id` to every log line written on a task that has a current trace. Only the
    /// executable bootstraps logging; it passes this to `LoggingSystem.bootstrap`.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let id = current else { return [:] }
        return [logKey: .string(id)]
    }
}
