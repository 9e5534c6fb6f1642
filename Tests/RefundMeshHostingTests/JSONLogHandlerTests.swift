import Foundation
import Logging
import Testing

@testable import RefundMeshHosting

@Suite("JSONLogHandler")
struct JSONLogHandlerTests {
    @Test("string literals escape quotes, backslashes and control characters, so every line parses as JSON")
    func quoting() throws {
        let nasty = "a \"quoted\" \\ path\nnext\tline \u{1} 退款"
        let literal = JSONLogHandler.quoted(nasty)
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
        #expect(decoded == [nasty])
    }
}
