import NIOCore
import RefundMeshTestSupport
import RefundMeshWire

/// One seed input: a name for people and the bytes a target reads.
public struct FuzzSeed: Sendable, Hashable {
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    /// The file the seed is committed as: `seed-<name>`, so it is told apart from inputs the
    /// fuzzer found.
    public var fileName: String { "seed-\(name)" }
}

/// The seed corpora, built from real values by the same encoders the services use, never
/// typed in as bytes. `scripts/fuzz.sh seeds` writes them to `Fuzz/corpus/`; the replay test
/// checks that the committed files are exactly these.
public enum FuzzSeeds {
    /// Frame decoder inputs: a control byte, then a byte stream (see `FrameStreamCheck`). Every
    /// frame kind, a whole conversation with and without the preface, and the ways a stream
    /// goes wrong.
    public static func frames() -> [FuzzSeed] {
        let samples = SampleFrames.all
        var seeds = samples.enumerated().map { index, sample in
            // Spread the control bytes so the seeds start from every small limit.
            FuzzSeed(
                name: "frame-\(sample.name)",
                bytes: [UInt8(truncatingIfNeeded: index &* 67)] + stream(sample.frame)
            )
        }
        let conversation = samples.map(\.frame)
        let wholeStream = stream(conversation)
        seeds.append(FuzzSeed(name: "conversation", bytes: [0x00] + wholeStream))
        seeds.append(FuzzSeed(name: "conversation-preface", bytes: [0x41] + RPCPreface.bytes + wholeStream))
        seeds.append(FuzzSeed(name: "conversation-truncated", bytes: [0x82] + wholeStream.dropLast(7)))
        seeds.append(FuzzSeed(name: "preface-partial", bytes: [0x03] + RPCPreface.bytes.prefix(5)))
        seeds.append(FuzzSeed(name: "preface-http", bytes: [0x04] + Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)))
        seeds.append(
            FuzzSeed(name: "preface-version-2", bytes: [0xC5] + RPCPreface.magic + [2] + stream(conversation.prefix(2)))
        )
        seeds.append(FuzzSeed(name: "length-oversize", bytes: [0x06] + lengthPrefix(UInt32.max) + [0x08, 0x02]))
        seeds.append(FuzzSeed(name: "length-only", bytes: [0x07] + lengthPrefix(5)))
        seeds.append(
            FuzzSeed(name: "length-beyond-data", bytes: [0x48] + lengthPrefix(300) + [0x08, 0x03, 0x10, 0x01])
        )
        // The body of a CALL frame with a method that is not UTF-8: one malformed frame among good ones.
        var badMethod = Frame()
        badMethod.kind = .call
        badMethod.callID = 9
        badMethod.method = "/x"
        let invalidUTF8 = replacingMethod(in: badMethod, with: [0xC3, 0x28])
        seeds.append(
            FuzzSeed(
                name: "body-invalid-utf8",
                bytes: [0x09] + stream([conversation[0]]) + lengthPrefix(UInt32(invalidUTF8.count)) + invalidUTF8
            )
        )
        seeds.append(FuzzSeed(name: "body-garbage", bytes: [0x0A] + lengthPrefix(3) + [0xFF, 0xFF, 0xFF]))
        // An unknown field (number 100, varint) after a PING: ignored, so the frame re-encodes without it.
        var ping = encodeBody(SampleFrames.ping)
        ping += [0xA0, 0x06, 0x01]
        seeds.append(FuzzSeed(name: "body-unknown-field", bytes: [0x0B] + lengthPrefix(UInt32(ping.count)) + ping))
        return seeds
    }

    /// Message bridge inputs: a selector byte (the type's index in ``FuzzMessageTypes/all``), then
    /// the encoding of a value with its fields set, for every type in the list.
    public static func messages() -> [FuzzSeed] {
        var seeds: [FuzzSeed] = []
        for sample in SampleMessages.all {
            let type = Swift.type(of: sample)
            guard let selector = FuzzMessageTypes.selector(for: type) else {
                preconditionFailure("\(type) has a sample but is not in FuzzMessageTypes.all")
            }
            let bytes = MessageRoundTrip.encode(sample)
            seeds.append(
                FuzzSeed(
                    name: "\(padded(selector))-\(type.protoMessageName)",
                    bytes: [selector] + bytes
                )
            )
        }
        seeds.append(FuzzSeed(name: "00-empty", bytes: [0]))
        // NaNs (quiet, signalling, with a payload) must come back bit for bit; the first fuzz run
        // stopped here when the check still compared them with `==`.
        var nans = KitchenSink.everyField
        nans.fFloat = -.nan
        nans.fDouble = .signalingNaN
        nans.rDouble = [Double(nan: 0x3_0000, signaling: false), 1.5, -.infinity]
        if let selector = FuzzMessageTypes.selector(for: KitchenSink.self) {
            seeds.append(
                FuzzSeed(
                    name: "\(padded(selector))-kitchen-sink-nans",
                    bytes: [selector] + MessageRoundTrip.encode(nans)
                )
            )
        }
        return seeds
    }

    /// A selector as two digits, so the seed files sort by type.
    private static func padded(_ selector: UInt8) -> String { selector < 10 ? "0\(selector)" : "\(selector)" }

    static func stream(_ frame: Frame) -> [UInt8] { stream([frame]) }

    static func stream(_ frames: some Sequence<Frame>) -> [UInt8] {
        var buffer = ByteBuffer()
        for frame in frames {
            do {
                try frame.encodeLengthPrefixed(into: &buffer, maxFrameBytes: 1 << 20)
            } catch {
                preconditionFailure("a sample frame does not encode: \(error)")
            }
        }
        return Array(buffer.readableBytesView)
    }

    private static func encodeBody(_ frame: Frame) -> [UInt8] { MessageRoundTrip.encode(frame) }

    private static func lengthPrefix(_ length: UInt32) -> [UInt8] {
        withUnsafeBytes(of: length.bigEndian) { Array($0) }
    }

    /// `frame`'s encoding with its method's bytes replaced by `bytes` (which the encoder would
    /// refuse to write): field 3, length-delimited, written after the others.
    private static func replacingMethod(in frame: Frame, with bytes: [UInt8]) -> [UInt8] {
        var withoutMethod = frame
        withoutMethod.method = ""
        return encodeBody(withoutMethod) + [0x1A, UInt8(bytes.count)] + bytes
    }
}
