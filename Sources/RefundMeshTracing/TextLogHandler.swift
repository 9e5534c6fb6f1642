import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes human-readable lines to standard error, in the format of
/// swift-log's `StreamLogHandler`:
/// `2026-12-06T08:00:00+0000 info intake: rpc.method=/… trace.id=… [RefundMeshRPC] message`.
///
/// Unlike `StreamLogHandler`, which renders its metadata into a string each time a key is set,
/// this handler renders only when a line is written. The RPC server sets three keys on every
/// call's logger (method, request id, trace id) and almost never logs them, so rendering on
/// assignment cost about a quarter of the server's CPU time at 60k calls/s
/// (docs/PERFORMANCE.md, "Where the time goes").
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let line = Self.render(
            event: event,
            label: label,
            metadata: metadata,
            provided: metadataProvider?.get() ?? [:],
            timestamp: Self.timestamp()
        )
        StandardError.write(line)
    }

    /// One line, newline included: the handler's metadata, then the provider's, then the
    /// event's (later ones win), sorted by key.
    static func render(
        event: LogEvent,
        label: String,
        metadata: Logger.Metadata,
        provided: Logger.Metadata,
        timestamp: String
    ) -> String {
        var merged = metadata
        merged.merge(provided) { _, provided in provided }
        if let explicit = event.metadata { merged.merge(explicit) { _, explicit in explicit } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = timestamp + " " + event.level.rawValue
        if !label.isEmpty { line += " " + label }
        line += ":"
        for key in merged.keys.sorted() {
            line += " " + key + "=" + "\(merged[key]!)"
        }
        line += " [" + event.source + "] " + "\(event.message)" + "\n"
        return line
    }

    private static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Standard error for the log handlers: each line is written whole under one process-wide lock,
/// so lines from concurrent tasks never interleave.
public enum StandardError {
    private static let output = Mutex(())

    /// Writes `line` (which should end in a newline) in full, retrying short writes.
    public static func write(_ line: String) {
        let bytes = Array(line.utf8)
        output.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }
}
