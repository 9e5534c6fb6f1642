import Logging

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
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
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

    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
