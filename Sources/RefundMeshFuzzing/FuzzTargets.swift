/// The fuzz targets of the wire layer: one function per target, each taking the bytes libFuzzer
/// made and checking the properties that must hold for every input.
///
/// A target returns normally for any input the code handles correctly, malformed or not: bad
/// bytes must fail with a ``WireError`` and nothing else. It stops the process with
/// `fatalError` (which libFuzzer and ASan report as a crash) only when a property breaks: an
/// error of another type, a decoded value that does not survive re-encoding, a decoder whose
/// result depends on how the stream was split. `Fuzz/` builds them into libFuzzer executables;
/// `FuzzCorpusReplayTests` runs the committed corpus and every past crash through them.
public enum FuzzTargets {
    /// Runs `bytes` through ``RefundMeshWire/FrameDecoder`` in several ways (see
    /// `FuzzTargets+Frames.swift`): the first byte drives chunking and the small frame limit,
    /// the rest is the byte stream.
    public static func frameDecoder(_ bytes: UnsafeRawBufferPointer) {
        FrameStreamCheck(input: bytes).run()
    }

    /// Decodes `bytes` as one of ``FuzzMessageTypes/all``, chosen by the first byte, and checks
    /// that a decoded message re-encodes stably and decodes back to itself.
    public static func messageBridge(_ bytes: UnsafeRawBufferPointer) {
        guard let selector = bytes.first else { return }
        let type = FuzzMessageTypes.type(forSelector: selector)
        MessageRoundTrip.check(type, UnsafeRawBufferPointer(rebasing: bytes.dropFirst()))
    }

    /// ``frameDecoder(_:)`` for an array (replay tests, seeds).
    public static func frameDecoder(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { frameDecoder($0) }
    }

    /// ``messageBridge(_:)`` for an array (replay tests, seeds).
    public static func messageBridge(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { messageBridge($0) }
    }
}

/// Stops the process, naming the broken property: the crash libFuzzer records.
func fuzzFailure(_ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("fuzz property broken: \(message())", file: file, line: line)
}

/// ``fuzzFailure(_:file:line:)`` unless `condition` holds.
func fuzzCheck(
    _ condition: Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition { fuzzFailure(message(), file: file, line: line) }
}
