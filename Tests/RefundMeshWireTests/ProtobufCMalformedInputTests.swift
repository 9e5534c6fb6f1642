import RefundMeshTestSupport
import RefundMeshWire
import Testing

/// Bytes that are not a valid message must fail with a ``WireError`` — never crash, hang or
/// decode to garbage strings.
@Suite("protobuf-c codec: malformed input")
struct ProtobufCMalformedInputTests {
    private func expectMalformed(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: WireError.self, sourceLocation: sourceLocation) {
            try KitchenSink(serializedBytes: bytes)
        }
        #expect(error?.code == .malformedMessage, sourceLocation: sourceLocation)
    }

    @Test("a truncated varint")
    func truncatedVarint() {
        expectMalformed([0x08, 0x80])
        expectMalformed([0x08, 0xFF, 0xFF, 0xFF])
        expectMalformed([0x08])
    }

    @Test("a field with the wrong wire type")
    func wrongWireType() {
        // Field 1 (int32) sent length-delimited; field 14 (string) sent as a varint.
        expectMalformed([0x0A, 0x01, 0x00])
        expectMalformed([0x70, 0x01])
        // Field 17 (message) as a fixed64.
        expectMalformed([0x89, 0x01, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("a length that runs past the end")
    func lengthPastEnd() {
        expectMalformed([0x72, 0x05, 0x61])
        expectMalformed([0x7A, 0x7F])
        expectMalformed([0x8A, 0x01, 0x10, 0x0A, 0x01])
    }

    @Test("a varint longer than ten bytes and a zero tag")
    func overlongVarintAndZeroTag() {
        expectMalformed([0x08] + [UInt8](repeating: 0xFF, count: 11) + [0x01])
        expectMalformed([0x00, 0x00])
    }

    @Test("invalid UTF-8 in a string field is refused, naming the field")
    func invalidUTF8() throws {
        // Tag 0x72 = field 14 (f_string), length-delimited; 0xC3 0x28 is a broken 2-byte sequence.
        let error = try #require(throws: WireError.self) { try KitchenSink(serializedBytes: [0x72, 0x02, 0xC3, 0x28]) }
        #expect(error.code == .invalidUTF8)
        #expect(error.message.contains("refundmesh.testing.v1.KitchenSink.f_string"))

        let cases: [[UInt8]] = [
            [0x72, 0x01, 0xFF],  // a byte never valid in UTF-8
            [0x72, 0x03, 0xED, 0xA0, 0x80],  // an encoded surrogate
            [0x72, 0x02, 0xC0, 0x80],  // an overlong encoding
            [0xDA, 0x01, 0x01, 0x80],  // field 27 (r_string)
            [0xC2, 0x02, 0x01, 0xFE],  // field 40 (oneof choice_text)
            [0x8A, 0x01, 0x03, 0x0A, 0x01, 0xFF],  // field 17 → Inner.name
            [0x92, 0x03, 0x05, 0x0A, 0x01, 0xFF, 0x12, 0x00],  // field 50 (labels) entry key
        ]
        for bytes in cases {
            let error = #expect(throws: WireError.self) { try KitchenSink(serializedBytes: bytes) }
            #expect(error?.code == .invalidUTF8, "\(bytes)")
        }
    }

    @Test("every truncation of a valid message fails cleanly or decodes")
    func truncations() throws {
        let bytes = try KitchenSink.everyField.serializedBytes()
        var failures = 0
        for length in 0..<bytes.count {
            do {
                _ = try KitchenSink(serializedBytes: Array(bytes[..<length]))
            } catch let error as WireError {
                #expect(error.code == .malformedMessage || error.code == .invalidUTF8)
                failures += 1
            }
        }
        #expect(failures > bytes.count / 2)
    }

    @Test("random garbage never crashes (seeded, 20 000 cases)")
    func randomGarbage() {
        var generator = SeededGenerator(seed: 0x5EED_2026)
        var decoded = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...96, using: &generator)
            let bytes = generator.bytes(length)
            do {
                _ = try KitchenSink(serializedBytes: bytes)
                decoded += 1
            } catch let error as WireError {
                #expect(error.code == .malformedMessage || error.code == .invalidUTF8)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        #expect(decoded < 20_000)
    }

    @Test("bit flips in a valid message never crash (seeded, 20 000 cases)")
    func mutations() throws {
        let valid = try KitchenSink.everyField.serializedBytes()
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<20_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &generator)
            }
            if Bool.random(using: &generator) {
                bytes.removeLast(Int.random(in: 0..<bytes.count, using: &generator))
            }
            do {
                _ = try KitchenSink(serializedBytes: bytes)
            } catch let error as WireError {
                #expect(error.code == .malformedMessage || error.code == .invalidUTF8)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }
}
