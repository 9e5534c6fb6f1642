import Foundation
import Testing

@testable import RefundMeshProviders

/// The providers' extensible status words code as the bare JSON string, and a word we do not know
/// yet decodes and is kept (R-C8: a new provider status must never fail a whole answer).
@Suite("Provider status words: bare strings, unknown words kept")
struct StatusWordCodingTests {
    @Test("known words code as bare JSON strings")
    func knownWordsCodeAsBareStrings() throws {
        #expect(String(decoding: try WireJSON.encode([BankRefundState.settled]), as: UTF8.self) == #"["SETTLED"]"#)
        #expect(
            String(decoding: try WireJSON.encode([WeChatPayRefundStatus.abnormal]), as: UTF8.self) == #"["ABNORMAL"]"#
        )
        #expect(
            String(decoding: try WireJSON.encode([OperatorRechargeStatus.credited]), as: UTF8.self) == #"["CREDITED"]"#
        )
        #expect(try WireJSON.decode([BankRefundState].self, from: Data(#"["RETURNED"]"#.utf8)) == [.returned])
        #expect(try WireJSON.decode([WeChatPayRefundStatus].self, from: Data(#"["SUCCESS"]"#.utf8)) == [.success])
        #expect(try WireJSON.decode([OperatorRechargeStatus].self, from: Data(#"["FAILED"]"#.utf8)) == [.failed])
    }

    @Test("a word we do not know decodes, is kept and encodes back (R-C8)")
    func unknownWordsDecodeAndRoundTrip() throws {
        let bank = try WireJSON.decode([BankRefundState].self, from: Data(#"["CHARGED_BACK"]"#.utf8))
        #expect(bank.map(\.rawValue) == ["CHARGED_BACK"])
        let weChat = try WireJSON.decode([WeChatPayRefundStatus].self, from: Data(#"["SUSPENDED"]"#.utf8))
        #expect(weChat.map(\.description) == ["SUSPENDED"])
        let recharge = try WireJSON.decode([OperatorRechargeStatus].self, from: Data(#"["REVERSED"]"#.utf8))
        #expect(String(decoding: try WireJSON.encode(recharge), as: UTF8.self) == #"["REVERSED"]"#)
    }

    @Test("a status that is not a string is refused")
    func aNonStringWordIsRefused() {
        #expect(throws: DecodingError.self) {
            try WireJSON.decode([BankRefundState].self, from: Data("[7]".utf8))
        }
    }
}
