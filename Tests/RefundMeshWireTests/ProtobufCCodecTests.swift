import CProtobufC
import CRefundMeshProtos
import NIOCore
import RefundMeshTestSupport
import RefundMeshWire
import Testing

/// Round trips of generated messages through libprotobuf-c, field kind by field kind.
@Suite("protobuf-c codec: round trips")
struct ProtobufCCodecTests {
    @Test("every field kind survives a round trip")
    func everyFieldKind() throws {
        let message = KitchenSink.everyField
        let bytes = try message.serializedBytes()
        #expect(!bytes.isEmpty)
        let decoded = try KitchenSink(serializedBytes: bytes)
        #expect(decoded == message)
        #expect(decoded.`default` == "keyword field")
        #expect(decoded.innerByID[3]?.name == "three")
    }

    @Test("a default message encodes to zero bytes and decodes from them")
    func emptyMessage() throws {
        #expect(try KitchenSink().serializedBytes() == [])
        #expect(try KitchenSink(serializedBytes: [UInt8]()) == KitchenSink())
        #expect(try Empty().serializedBytes() == [])
        #expect(try Empty(serializedBytes: [UInt8]()) == Empty())
    }

    @Test("integer extremes", arguments: [Int64.min, -1, 0, 1, Int64.max])
    func integerExtremes(value: Int64) throws {
        var message = KitchenSink()
        message.fInt64 = value
        message.fSint64 = value
        message.fSfixed64 = value
        message.fInt32 = Int32(truncatingIfNeeded: value)
        message.fSint32 = Int32(truncatingIfNeeded: value)
        message.fSfixed32 = Int32(truncatingIfNeeded: value)
        message.fUint64 = UInt64(bitPattern: value)
        message.fFixed64 = UInt64(bitPattern: value)
        message.fUint32 = UInt32(truncatingIfNeeded: value)
        message.fFixed32 = UInt32(truncatingIfNeeded: value)
        message.rInt64 = [value]
        message.rSint64 = [value]
        message.rUint64 = [UInt64(bitPattern: value)]
        message.counters = ["k": value]
        message.choice = .choiceNumber(value)
        #expect(try KitchenSink(serializedBytes: message.serializedBytes()) == message)
    }

    @Test("UInt64.max and Int32.min take their full widths")
    func unsignedMaximum() throws {
        let message = KitchenSink(fInt32: .min, fUint32: .max, fUint64: .max, fFixed64: .max, rUint64: [.max, .max])
        let decoded = try KitchenSink(serializedBytes: message.serializedBytes())
        #expect(decoded.fUint64 == .max)
        #expect(decoded.fFixed64 == .max)
        #expect(decoded.fUint32 == .max)
        #expect(decoded.fInt32 == .min)
        #expect(decoded.rUint64 == [.max, .max])
    }

    @Test("NaN, infinities and signed zero keep their bit patterns")
    func floatingPointBitPatterns() throws {
        let signallingPayload = Double(bitPattern: 0x7FF4_0000_0000_0001)
        let doubles: [Double] = [
            .nan, signallingPayload, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
        ]
        var message = KitchenSink()
        message.fDouble = -.nan
        message.fFloat = Float(bitPattern: 0x7FC0_1234)
        message.rDouble = doubles
        let decoded = try KitchenSink(serializedBytes: message.serializedBytes())
        #expect(decoded.fDouble.bitPattern == message.fDouble.bitPattern)
        #expect(decoded.fFloat.bitPattern == 0x7FC0_1234)
        #expect(decoded.rDouble.map(\.bitPattern) == doubles.map(\.bitPattern))

        var infinite = KitchenSink()
        infinite.fFloat = -.infinity
        infinite.fDouble = .infinity
        #expect(try KitchenSink(serializedBytes: infinite.serializedBytes()) == infinite)
    }

    @Test("an empty message field is present; an absent one stays nil")
    func emptyVersusAbsentMessage() throws {
        let absent = KitchenSink()
        let empty = KitchenSink(fMessage: Inner(), nestedRef: Inner.Deeper())
        let absentBytes = try absent.serializedBytes()
        let emptyBytes = try empty.serializedBytes()
        #expect(absentBytes != emptyBytes)
        // Field 17, length-delimited, zero length; then field 60 the same.
        #expect(emptyBytes == [0x8A, 0x01, 0x00, 0xE2, 0x03, 0x00])
        #expect(try KitchenSink(serializedBytes: absentBytes).fMessage == nil)
        let decoded = try KitchenSink(serializedBytes: emptyBytes)
        #expect(decoded.fMessage == Inner())
        #expect(decoded.nestedRef == Inner.Deeper())
    }

    @Test("an enum value this schema does not know round-trips as .unrecognized")
    func unknownEnumValue() throws {
        let unknown = Colour(rawValue: 12345)
        #expect(unknown == .unrecognized(12345))
        #expect(unknown.rawValue == 12345)
        var message = KitchenSink()
        message.fEnum = unknown
        message.rEnum = [.red, unknown, Colour(rawValue: -5)]
        message.choice = .choiceColour(unknown)
        message.fMessage = Inner(deeper: Inner.Deeper(colour: unknown))
        let decoded = try KitchenSink(serializedBytes: message.serializedBytes())
        #expect(decoded.fEnum == .unrecognized(12345))
        #expect(decoded.rEnum == [.red, .unrecognized(12345), .unrecognized(-5)])
        #expect(decoded.choice == .choiceColour(.unrecognized(12345)))
        #expect(decoded.fMessage?.deeper?.colour == .unrecognized(12345))
        #expect(Colour(rawValue: 1_000_000) == .blue)
        #expect(Colour.unrecognized(2) == .green, "equality is by number")
    }

    @Test("unicode strings, map keys and oneof text")
    func unicode() throws {
        let text = "退款 💸 e\u{301} \u{10FFFF} Ωμέγα"
        let message = KitchenSink(
            fString: text,
            rString: [text, "🧾"],
            choice: .choiceText(text),
            labels: [text: text, "ä": "ö"]
        )
        let decoded = try KitchenSink(serializedBytes: message.serializedBytes())
        #expect(decoded == message)
        #expect(decoded.fString.utf8.elementsEqual(text.utf8))
    }

    @Test("each oneof case round-trips, empty values included")
    func oneofCases() throws {
        let cases: [KitchenSink.Choice?] = [
            nil, .choiceText(""), .choiceText("t"), .choiceNumber(0), .choiceNumber(-9),
            .choiceInner(Inner()), .choiceInner(Inner(name: "n")), .choiceBytes([]), .choiceBytes([0, 0]),
            .choiceColour(.unspecified), .choiceColour(.blue),
        ]
        for choice in cases {
            let message = KitchenSink(choice: choice)
            let decoded = try KitchenSink(serializedBytes: message.serializedBytes())
            #expect(decoded.choice == choice, "\(String(describing: choice))")
        }
    }

    @Test("equal maps encode to identical bytes whatever their insertion order")
    func mapDeterminism() throws {
        var keys = (0..<200).map { "key-\($0)" }
        var forward: [String: String] = [:]
        for key in keys { forward[key] = key.uppercased() }
        var backward: [String: String] = [:]
        backward.reserveCapacity(4096)
        keys.reverse()
        for key in keys { backward[key] = key.uppercased() }
        var ids: [Int32: Inner] = [:]
        for id in Int32(-50)..<50 { ids[id] = Inner(amountFen: Int64(id)) }
        var idsShuffled: [Int32: Inner] = [:]
        idsShuffled.reserveCapacity(1000)
        var generator = SeededGenerator(seed: 7)
        for (id, inner) in ids.shuffled(using: &generator) { idsShuffled[id] = inner }

        let first = try KitchenSink(labels: forward, innerByID: ids).serializedBytes()
        let second = try KitchenSink(labels: backward, innerByID: idsShuffled).serializedBytes()
        #expect(first == second)
        #expect(try KitchenSink.everyField.serializedBytes() == KitchenSink.everyField.serializedBytes())

        // The entries are in key order on the wire: protobuf-c keeps wire order when unpacking.
        let keysOnWire = try first.withUnsafeBufferPointer { buffer in
            let c = try #require(refundmesh__testing__v1__kitchen_sink__unpack(nil, buffer.count, buffer.baseAddress))
            defer { refundmesh__testing__v1__kitchen_sink__free_unpacked(c, nil) }
            return (0..<c.pointee.n_inner_by_id).map { c.pointee.inner_by_id[$0]!.pointee.key }
        }
        #expect(keysOnWire == Array(Int32(-50)..<50))
    }

    @Test("a string holding NUL is refused on encode, naming the field")
    func embeddedNUL() throws {
        let messages = [
            KitchenSink(fString: "a\u{0}b"),
            KitchenSink(rString: ["ok", "\u{0}"]),
            KitchenSink(choice: .choiceText("x\u{0}")),
            KitchenSink(labels: ["k\u{0}": "v"]),
            KitchenSink(fMessage: Inner(name: "\u{0}")),
        ]
        for message in messages {
            let error = try #require(throws: WireError.self) { try message.serializedBytes() }
            #expect(error.code == .embeddedNUL)
            #expect(error.message.contains("refundmesh.testing.v1."))
        }
        let error = try #require(throws: WireError.self) { try KitchenSink(fString: "a\u{0}b").serializedBytes() }
        #expect(error.message.contains("refundmesh.testing.v1.KitchenSink.f_string"))
    }

    @Test("serialize(into:) appends the same bytes as serializedBytes()")
    func byteBuffer() throws {
        var buffer = ByteBuffer(bytes: [0xAA])
        let written = try KitchenSink.everyField.serialize(into: &buffer)
        let expected = try KitchenSink.everyField.serializedBytes()
        #expect(written == expected.count)
        #expect(buffer.readableBytesView.dropFirst().elementsEqual(expected))
        #expect(try KitchenSink(serializedBytes: ByteBuffer(bytes: expected)) == KitchenSink.everyField)
        var empty = ByteBuffer()
        #expect(try KitchenSink().serialize(into: &empty) == 0)
    }

    @Test("a nested message type (generic pack/unpack path) round-trips on its own")
    func nestedTypeStandalone() throws {
        let deeper = Inner.Deeper(flag: true, colour: .blue)
        let bytes = try deeper.serializedBytes()
        #expect(bytes == [0x08, 0x01, 0x10, 0xC0, 0x84, 0x3D])
        #expect(try Inner.Deeper(serializedBytes: bytes) == deeper)
        #expect(Inner.Deeper.protoMessageName == "refundmesh.testing.v1.Inner.Deeper")
    }

    @Test("large bytes and many repeated elements")
    func largeMessage() throws {
        var generator = SeededGenerator(seed: 99)
        let payload = generator.bytes(3 * 1024 * 1024)
        let message = KitchenSink(
            fBytes: payload,
            rInt64: (0..<50_000).map { Int64($0) * 1_000_003 },
            rMessage: (0..<2_000).map { Inner(name: "n\($0)", amountFen: Int64($0)) }
        )
        #expect(try KitchenSink(serializedBytes: message.serializedBytes()) == message)
    }
}
