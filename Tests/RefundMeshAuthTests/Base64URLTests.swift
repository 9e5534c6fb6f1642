import Foundation
import Testing

@testable import RefundMeshAuth

@Suite("Base64URL")
struct Base64URLTests {
    /// Every length from 0 to 70 bytes, random contents: the encoder writes what Foundation's
    /// base64 encoder does, translated to the URL alphabet and unpadded, and decoding it gives
    /// the bytes back.
    @Test func decodesWhatAnEncoderWrites() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...70 {
            for _ in 0..<20 {
                let bytes = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
                let text = Base64URL.encode(bytes)
                let foundation = bytes.base64EncodedString()
                    .replacingOccurrences(of: "+", with: "-")
                    .replacingOccurrences(of: "/", with: "_")
                    .replacingOccurrences(of: "=", with: "")
                #expect(text == foundation, "length \(length)")
                #expect(Base64URL.decode(text[...]) == bytes, "length \(length): \(text)")
            }
        }
        // Inside a longer string, as the token's parts are.
        let token = "x." + Base64URL.encode(Data("{\"alg\":\"EdDSA\"}".utf8)) + ".y"
        let part = token.split(separator: ".")[1]
        #expect(Base64URL.decode(part) == Data("{\"alg\":\"EdDSA\"}".utf8))
    }

    @Test(arguments: [
        "a",  // one character left over: not a whole byte
        "abcde",
        "ab+c",  // the standard alphabet, not the URL one
        "ab/c",
        "ab==",  // padding
        "ab c",
        "aé",
        "ab\u{0}c",
        "AB",  // "A" then "B": the last character's 4 spare bits are not zero
        "AAB",  // 2 spare bits not zero
    ])
    func refusesWhatIsNotUnpaddedBase64URL(_ text: String) {
        #expect(Base64URL.decode(text[...]) == nil)
    }

    @Test func acceptsTheCanonicalShortForms() {
        #expect(Base64URL.decode(""[...]) == Data())
        #expect(Base64URL.decode("AA"[...]) == Data([0]))
        #expect(Base64URL.decode("AAA"[...]) == Data([0, 0]))
        #expect(Base64URL.decode("_-8"[...]) == Data([0xFF, 0xEF]))
    }
}
