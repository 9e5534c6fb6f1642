import NIOCore
import RefundMeshTestSupport
import RefundMeshWire

/// What decoding one byte stream gave: the frames in order, then either the error that stopped
/// the stream or the bytes still waiting for more input when it ended.
struct FrameStreamOutcome: Equatable {
    var frames: [Frame] = []
    var error: WireError.Code?
    /// Bytes left undecoded at the end of a stream that did not fail (a partial frame).
    var unconsumed = 0

    var summary: String {
        "\(frames.count) frame(s), " + (error.map { "error \($0)" } ?? "\(unconsumed) byte(s) left")
    }
}

/// The frame decoder target (``FuzzTargets/frameDecoder(_:)``).
///
/// Input: the first byte (`control`) seeds how the stream is split into reads and picks the
/// small frame limit; the rest is the byte stream. One stream is decoded five ways, each held to
/// the whole-stream, no-preface decode (the reference):
/// 1. the reference itself: every frame must re-encode and decode back to itself;
/// 2. the same stream split into reads (through NIO's `NIOSingleStepByteToMessageProcessor`,
///    as `ByteToMessageHandler` feeds a connection): exactly the same outcome;
/// 3. the real preface prepended and the decoder expecting it, split: the same outcome;
/// 4. the decoder expecting a preface on the raw stream: the outcome the preface rules give
///    (bad magic → `badPreface`, other version → `unsupportedVersion`, else the reference of
///    what follows), whole and split alike;
/// 5. a small `maxFrameBytes`, split: the reference's frames up to the first one over the limit,
///    which is refused with `frameTooLarge`.
struct FrameStreamCheck {
    /// The small limits that `control`'s two high bits choose from.
    static let smallLimits = [0, 32, 256, 4096]

    let control: UInt8
    let stream: UnsafeRawBufferPointer

    init(input: UnsafeRawBufferPointer) {
        control = input.first ?? 0
        stream = input.isEmpty ? input : UnsafeRawBufferPointer(rebasing: input.dropFirst())
    }

    func run() {
        let (reference, bodyLengths) = Self.decodeWhole(stream, expectPreface: false)
        for frame in reference.frames { Self.checkReencoding(frame) }

        let split = decodeSplit(stream, decoder: FrameDecoder(expectPreface: false), run: 1)
        fuzzCheck(split == reference, "split reads gave \(split.summary), one read gave \(reference.summary)")

        var prefaced = ByteBuffer(bytes: RPCPreface.bytes)
        prefaced.writeBytes(stream)
        let withPreface = prefaced.withUnsafeReadableBytes { decodeSplit($0, decoder: FrameDecoder(), run: 2) }
        fuzzCheck(
            withPreface == reference,
            "after the preface: \(withPreface.summary), without it: \(reference.summary)"
        )

        checkRawPreface()
        checkSmallLimit(reference: reference, bodyLengths: bodyLengths)
    }

    /// Run 4: the stream's own first bytes as the preface.
    private func checkRawPreface() {
        let (whole, _) = Self.decodeWhole(stream, expectPreface: true)
        let split = decodeSplit(stream, decoder: FrameDecoder(), run: 4)
        fuzzCheck(split == whole, "with a preface, split reads gave \(split.summary), one read \(whole.summary)")

        let magic = RPCPreface.magic
        let seen = min(stream.count, magic.count)
        if (0..<seen).contains(where: { stream[$0] != magic[$0] }) {
            fuzzCheck(whole == FrameStreamOutcome(error: .badPreface), "wrong magic gave \(whole.summary)")
        } else if stream.count < RPCPreface.count {
            fuzzCheck(
                whole == FrameStreamOutcome(unconsumed: stream.count),
                "a partial preface gave \(whole.summary)"
            )
        } else if stream[magic.count] != RPCPreface.version {
            fuzzCheck(whole == FrameStreamOutcome(error: .unsupportedVersion), "another version gave \(whole.summary)")
        } else {
            let rest = UnsafeRawBufferPointer(rebasing: stream.dropFirst(RPCPreface.count))
            let (expected, _) = Self.decodeWhole(rest, expectPreface: false)
            fuzzCheck(whole == expected, "after a good preface: \(whole.summary), expected \(expected.summary)")
        }
    }

    /// Run 5: a limit far below the default.
    private func checkSmallLimit(reference: FrameStreamOutcome, bodyLengths: [Int]) {
        let limit = Self.smallLimits[Int(control >> 6)]
        let limited = decodeSplit(stream, decoder: FrameDecoder(maxFrameBytes: limit, expectPreface: false), run: 5)
        let count = limited.frames.count
        fuzzCheck(
            count <= reference.frames.count && Array(reference.frames.prefix(count)) == limited.frames,
            "with a \(limit)-byte limit: \(limited.summary), not a prefix of \(reference.summary)"
        )
        fuzzCheck(
            bodyLengths.prefix(count).allSatisfy { $0 <= limit },
            "a frame over the \(limit)-byte limit was accepted"
        )
        switch limited.error {
        case .frameTooLarge?:
            // Refused where the reference had a bigger frame, or had failed or run out of bytes.
            if count < bodyLengths.count {
                fuzzCheck(bodyLengths[count] > limit, "frame \(count) of \(bodyLengths[count]) bytes refused")
            } else {
                fuzzCheck(
                    reference.error != nil || reference.unconsumed >= 4,
                    "a limit refused a frame that is not there: \(reference.summary)"
                )
            }
        case nil:
            fuzzCheck(limited == reference, "with a \(limit)-byte limit: \(limited.summary), \(reference.summary)")
        case let code?:
            fuzzCheck(
                count == reference.frames.count && code == reference.error,
                "with a \(limit)-byte limit: \(limited.summary), without: \(reference.summary)"
            )
        }
    }

    /// Decodes `bytes` as one read followed by the end of the stream, calling the decoder
    /// directly; also returns each decoded frame's body length.
    static func decodeWhole(_ bytes: UnsafeRawBufferPointer, expectPreface: Bool) -> (FrameStreamOutcome, [Int]) {
        var decoder = FrameDecoder(expectPreface: expectPreface)
        var buffer = ByteBuffer(bytes: bytes)
        var outcome = FrameStreamOutcome()
        var bodyLengths: [Int] = []
        do {
            var atEnd = false
            while true {
                let before = buffer.readableBytes
                let frame =
                    atEnd ? try decoder.decodeLast(buffer: &buffer, seenEOF: true) : try decoder.decode(buffer: &buffer)
                guard let frame else {
                    if atEnd { break }
                    atEnd = true
                    continue
                }
                outcome.frames.append(frame)
                // Only a decoder without a preface is asked for lengths; 4 is the length prefix.
                bodyLengths.append(before - buffer.readableBytes - 4)
            }
            outcome.unconsumed = buffer.readableBytes
        } catch {
            outcome.error = wireErrorCode(error)
        }
        return (outcome, bodyLengths)
    }

    /// Decodes `bytes` in reads of sizes drawn from `control` and `run`, as a channel does.
    private func decodeSplit(_ bytes: UnsafeRawBufferPointer, decoder: FrameDecoder, run: UInt64) -> FrameStreamOutcome
    {
        var generator = SeededGenerator(seed: UInt64(control) &* 0x1_0000_0001 &+ run)
        let processor = NIOSingleStepByteToMessageProcessor(decoder)
        var outcome = FrameStreamOutcome()
        do {
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + Self.readSize(remaining: bytes.count - offset, using: &generator), bytes.count)
                try processor.process(buffer: ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: bytes[offset..<end])))
                {
                    outcome.frames.append($0)
                }
                offset = end
            }
            try processor.finishProcessing(seenEOF: true) { outcome.frames.append($0) }
            outcome.unconsumed = processor.unprocessedBytes
        } catch {
            outcome.error = Self.wireErrorCode(error)
        }
        return outcome
    }

    /// Mostly tiny reads (1–8 bytes, splitting lengths and the preface), sometimes a big one.
    private static func readSize(remaining: Int, using generator: inout SeededGenerator) -> Int {
        let draw = generator.next()
        if draw % 4 == 0 { return 1 + Int((draw >> 8) % UInt64(remaining)) }
        return 1 + Int((draw >> 8) % 8)
    }

    /// The code of a ``WireError``; any other error is a bug.
    private static func wireErrorCode(_ error: any Error) -> WireError.Code {
        guard let wireError = error as? WireError else {
            fuzzFailure("the frame decoder threw \(type(of: error)), not a WireError: \(error)")
        }
        let expected: [WireError.Code] = [
            .malformedMessage, .invalidUTF8, .frameTooLarge, .badPreface, .unsupportedVersion,
        ]
        fuzzCheck(expected.contains(wireError.code), "the frame decoder threw \(wireError)")
        return wireError.code
    }

    /// A decoded frame must encode without error, and that encoding must decode to the same
    /// frame and re-encode to the same bytes.
    static func checkReencoding(_ frame: Frame) {
        var buffer = ByteBuffer()
        do {
            try frame.encodeLengthPrefixed(into: &buffer, maxFrameBytes: Int(UInt32.max))
        } catch {
            fuzzFailure("a decoded frame does not encode: \(error)")
        }
        let encoded = Array(buffer.readableBytesView.dropFirst(4))
        var decoder = FrameDecoder(expectPreface: false)
        let again: Frame?
        do {
            again = try decoder.decode(buffer: &buffer)
        } catch {
            fuzzFailure("a re-encoded frame does not decode: \(error)")
        }
        fuzzCheck(again == frame, "a frame changed in re-encoding: \(frame) became \(String(describing: again))")
        fuzzCheck(buffer.readableBytes == 0, "\(buffer.readableBytes) bytes left after a re-encoded frame")
        let reencoded = MessageRoundTrip.encode(again ?? frame)
        fuzzCheck(
            reencoded == encoded,
            "a frame's encoding is not stable (\(encoded.count) then \(reencoded.count) bytes)"
        )
    }
}
