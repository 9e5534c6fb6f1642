import RefundMeshEvidence
import Testing

@Suite("evidence JSON parsing")
struct EvidenceValueParsingTests {
    @Test("canonical JSON reads back to the same value and bytes")
    func roundTrip() throws {
        let value = EvidenceValue.object([
            "z": .array([1, -2, true, false, "é 退款 \u{1F600}", .object([:]), .array([])]),
            "a": .string("quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7}"),
            "m": .integer(Int64.min),
        ])
        let bytes = value.canonicalJSON
        let parsed = try EvidenceValue.parse(bytes)
        #expect(parsed == value)
        #expect(parsed.canonicalJSON == bytes)
        #expect(parsed["m"]?.integerValue == Int64.min)
    }

    @Test("escapes and whitespace are read but are not canonical")
    func nonCanonical() throws {
        let parsed = try EvidenceValue.parse(Array(#"{ "b" : "\u00e9\ud83d\ude00\/" , "a":[ 1 ] }"#.utf8))
        #expect(parsed == .object(["b": .string("é\u{1F600}/"), "a": .array([1])]))
        #expect(String(decoding: parsed.canonicalJSON, as: UTF8.self) == #"{"a":[1],"b":"é😀/"}"#)
    }

    @Test("the canonical bytes: keys in UTF-8 byte order, only quote, backslash and controls escaped")
    func canonicalBytes() {
        let value = EvidenceValue.object([
            "é": 1, "z": 2, "B": 3, "a": 4, "ab": 5, "": 6,
            "s": .string("q\" b\\ n\n r\r t\t nul\u{0} us\u{1F} del\u{7F} / 退款 \u{1F600}"),
            "list": .array([-0, .integer(.max), true, .object([:])]),
        ])
        let expected =
            #"{"":6,"B":3,"a":4,"ab":5,"list":[0,9223372036854775807,true,{}],"#
            + #""s":"q\" b\\ n\n r\r t\t nul\u0000 us\u001f del"# + "\u{7F}" + #" / 退款 😀","z":2,"é":1}"#
        #expect(String(decoding: value.canonicalJSON, as: UTF8.self) == expected)
    }

    @Test(
        "what evidence never contains is refused",
        arguments: [
            "null", "1.5", "1e3", "01", #"{"a":1,"a":2}"#, #""\ud800""#, #""\x""#, "[1,]", "{} {}", "\"a\nb\"", "tru",
            "99999999999999999999",
        ]
    )
    func refused(_ text: String) {
        #expect(throws: EvidenceError.self) { try EvidenceValue.parse(Array(text.utf8)) }
    }
}
