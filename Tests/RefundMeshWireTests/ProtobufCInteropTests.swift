import CProtobufC
import CRefundMeshProtos
import RefundMeshTestSupport
import RefundMeshWire
import Testing

/// Checks the generated bridge against libprotobuf-c used directly from C: what Swift packs, C
/// reads field by field, and what C packs, Swift reads.
@Suite("protobuf-c codec: interop with libprotobuf-c")
struct ProtobufCInteropTests {
    @Test("bytes packed by Swift unpack with the raw C function")
    func swiftToC() throws {
        let bytes = try KitchenSink.everyField.serializedBytes()
        try bytes.withUnsafeBufferPointer { buffer in
            let c = try #require(refundmesh__testing__v1__kitchen_sink__unpack(nil, buffer.count, buffer.baseAddress))
            defer { refundmesh__testing__v1__kitchen_sink__free_unpacked(c, nil) }
            let sink = c.pointee
            #expect(sink.f_int32 == -42)
            #expect(sink.f_uint64 == 18_000_000_000_000_000_000)
            #expect(sink.f_sfixed64 == -123_456_789_012)
            #expect(sink.f_bool == 1)
            #expect(sink.f_double == -2.5e300)
            #expect(String(cString: sink.f_string) == "refund №42")
            #expect(
                Array(UnsafeBufferPointer(start: sink.f_bytes.data, count: sink.f_bytes.len)) == [0, 1, 2, 0xFF, 0]
            )
            #expect(sink.f_enum == REFUNDMESH__TESTING__V1__COLOUR__COLOUR_GREEN)
            #expect(String(cString: sink.f_message.pointee.name) == "inner")
            #expect(sink.f_message.pointee.deeper.pointee.colour == REFUNDMESH__TESTING__V1__COLOUR__COLOUR_BLUE)
            #expect(sink.n_r_int32 == 4)
            #expect(sink.r_int32[3] == .min)
            #expect(sink.n_r_string == 3)
            #expect(String(cString: sink.r_string[2]!) == "退款")
            #expect(sink.choice_case == REFUNDMESH__TESTING__V1__KITCHEN_SINK__CHOICE_CHOICE_INNER)
            #expect(String(cString: sink.choice_inner.pointee.name) == "chosen")
            #expect(sink.n_labels == 4)
            // Sorted by key: "" < "a" < "b" < "ключ".
            let labelKeys = (0..<sink.n_labels).map { String(cString: sink.labels[$0]!.pointee.key) }
            #expect(labelKeys == ["", "a", "b", "ключ"])
            #expect(String(cString: sink.default_) == "keyword field")
        }
    }

    @Test("bytes packed by C decode in Swift")
    func cToSwift() throws {
        var inner = Refundmesh__Testing__V1__Inner()
        refundmesh__testing__v1__inner__init(&inner)
        var sink = Refundmesh__Testing__V1__KitchenSink()
        refundmesh__testing__v1__kitchen_sink__init(&sink)
        let bytes: [UInt8] = try "from C".withCString { name in
            try "text".withCString { text in
                inner.name = UnsafeMutablePointer(mutating: name)
                inner.amount_fen = -77
                return try withUnsafeMutablePointer(to: &inner) { innerPointer in
                    sink.f_int64 = .min
                    sink.f_enum = Refundmesh__Testing__V1__Colour(rawValue: 777)
                    sink.f_message = innerPointer
                    sink.choice_case = REFUNDMESH__TESTING__V1__KITCHEN_SINK__CHOICE_CHOICE_TEXT
                    sink.choice_text = UnsafeMutablePointer(mutating: text)
                    let size = refundmesh__testing__v1__kitchen_sink__get_packed_size(&sink)
                    var out = [UInt8](repeating: 0, count: size)
                    let written = out.withUnsafeMutableBufferPointer {
                        refundmesh__testing__v1__kitchen_sink__pack(&sink, $0.baseAddress)
                    }
                    try #require(written == size)
                    return out
                }
            }
        }
        let decoded = try KitchenSink(serializedBytes: bytes)
        #expect(
            decoded
                == KitchenSink(
                    fInt64: .min,
                    fEnum: .unrecognized(777),
                    fMessage: Inner(name: "from C", amountFen: -77),
                    choice: .choiceText("text")
                )
        )
    }

    @Test("Swift and C agree on the encoding of a nested message type")
    func nestedTypeMatchesC() throws {
        var deeper = Refundmesh__Testing__V1__Inner__Deeper()
        refundmesh__testing__v1__inner__deeper__init(&deeper)
        deeper.flag = 1
        deeper.colour = REFUNDMESH__TESTING__V1__COLOUR__COLOUR_RED
        let cBytes: [UInt8] = withUnsafePointer(to: &deeper) { pointer in
            pointer.withMemoryRebound(to: CProtobufC.ProtobufCMessage.self, capacity: 1) { base in
                var out = [UInt8](repeating: 0, count: protobuf_c_message_get_packed_size(base))
                _ = out.withUnsafeMutableBufferPointer { protobuf_c_message_pack(base, $0.baseAddress) }
                return out
            }
        }
        #expect(try Inner.Deeper(flag: true, colour: .red).serializedBytes() == cBytes)
    }
}
