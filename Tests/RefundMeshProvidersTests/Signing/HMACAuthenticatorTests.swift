import Foundation
import Testing

@testable import RefundMeshProviders

@Suite("HMAC-SHA256 signing for the bank and the game operator")
struct HMACAuthenticatorTests {
    let bank = BankCardServer(keySet: TestProviders.keys)
    let gameOperator = GameOperatorServer(keySet: TestProviders.keys)
    let body = Data(#"{"refund_no":"B1","amount_fen":100}"#.utf8)

    @Test("known answer: HMAC-SHA256 over TIMESTAMP\\nNONCE\\nBODY (RFC 4231-style check with a fixed key)")
    func knownAnswer() {
        let authenticator = HMACAuthenticator(headerNames: .bank, identity: "M", key: SecretKey(text: "key"))
        let message = HMACAuthenticator.message(timestamp: 1, nonce: "n", body: Data("b".utf8))
        #expect(String(decoding: message, as: UTF8.self) == "1\nn\nb")
        let request = HMACAuthenticator.requestMessage(
            method: "get",
            path: "/p?q=1",
            timestamp: 1,
            nonce: "n",
            body: Data()
        )
        #expect(String(decoding: request, as: UTF8.self) == "GET\n/p?q=1\n1\nn\n")
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog") from RFC 2104 examples (Wikipedia).
        #expect(
            Data(base64Encoded: authenticator.signature(for: Data("The quick brown fox jumps over the lazy dog".utf8)))
                .map { $0.map { String(format: "%02x", $0) }.joined() }
                == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        )
    }

    @Test("requests signed by the client verify on the server half, for both parties")
    func requestRoundTrip() throws {
        for authenticator in [bank.authenticator, gameOperator.authenticator] {
            let headers = authenticator.requestHeaders(method: "POST", path: "/bank/v1/refunds", body: body)
            try authenticator.verifyRequest(method: "POST", path: "/bank/v1/refunds", headers: headers, body: body)
        }
        let headers = bank.authenticator.requestHeaders(method: "POST", path: "/bank/v1/refunds", body: body)
        #expect(
            headers.contains { $0.0 == "X-Bank-Merchant" && $0.1 == ProviderKeySet.DevelopmentIdentity.bankMerchantID }
        )
        #expect(headers.contains { $0.0 == "X-Bank-Signature" })
        let operatorHeaders = gameOperator.authenticator.requestHeaders(method: "GET", path: "/x", body: Data())
        #expect(operatorHeaders.contains { $0.0 == "X-Operator-Client" })
    }

    @Test("a changed body or path, another key, another merchant or a stale timestamp fails, naming the header")
    func tampering() throws {
        let authenticator = bank.authenticator
        let headers = authenticator.requestHeaders(method: "GET", path: "/bank/v1/refunds/B1", body: Data())
        let path = #expect(throws: SignatureVerificationError.self) {
            try authenticator.verifyRequest(method: "GET", path: "/bank/v1/refunds/B2", headers: headers, body: Data())
        }
        #expect(path?.code == .signatureMismatch)
        #expect(path?.field == "X-Bank-Signature")

        let signed = authenticator.messageHeaders(body: body)
        var changed = body
        changed[changed.startIndex] = UInt8(ascii: "[")
        #expect(throws: SignatureVerificationError.self) {
            try authenticator.verifyMessage(headers: signed, body: changed)
        }

        var otherKey = authenticator
        otherKey.key = SecretKey(text: "another-shared-secret-0123456789")
        #expect(throws: SignatureVerificationError.self) { try otherKey.verifyMessage(headers: signed, body: body) }

        var otherMerchant = authenticator
        otherMerchant.identity = "SOMEONE-ELSE"
        let signer = #expect(throws: SignatureVerificationError.self) {
            try otherMerchant.verifyMessage(headers: signed, body: body)
        }
        #expect(signer?.code == .unknownSigner)
        #expect(signer?.field == "X-Bank-Merchant")

        let old = authenticator.messageHeaders(body: body, now: Date().addingTimeInterval(-400))
        let stale = #expect(throws: SignatureVerificationError.self) {
            try authenticator.verifyMessage(headers: old, body: body)
        }
        #expect(stale?.code == .staleTimestamp)
        #expect(stale?.field == "X-Bank-Timestamp")

        var shortSkew = authenticator
        shortSkew.allowedClockSkew = .seconds(1000)
        try shortSkew.verifyMessage(headers: old, body: body)  // the window is configurable
    }
}
