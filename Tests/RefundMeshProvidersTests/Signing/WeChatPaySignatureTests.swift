import Foundation
import Testing
import _CryptoExtras

@testable import RefundMeshProviders

@Suite("WeChat Pay v3 signatures and notification encryption")
struct WeChatPaySignatureTests {
    let keys = TestProviders.keys
    var server: WeChatPayServer { WeChatPayServer(keySet: keys) }
    let body = Data(#"{"out_refund_no":"RF1","amount":{"refund":100,"total":100,"currency":"CNY"}}"#.utf8)

    @Test("known answer: the request and response message strings")
    func messageStrings() {
        let request = WeChatPaySignature.requestMessage(
            method: "post",
            url: "/v3/refund/domestic/refunds",
            timestamp: 1_554_208_460,
            nonce: "593BEC0C930BF1AFEB40B4A08C8FB242",
            body: Data(#"{"a":1}"#.utf8)
        )
        #expect(
            String(decoding: request, as: UTF8.self)
                == "POST\n/v3/refund/domestic/refunds\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"a\":1}\n"
        )
        let get = WeChatPaySignature.requestMessage(
            method: "GET",
            url: "/v3/refund/domestic/refunds/RF1",
            timestamp: 1,
            nonce: "N",
            body: Data()
        )
        #expect(String(decoding: get, as: UTF8.self) == "GET\n/v3/refund/domestic/refunds/RF1\n1\nN\n\n")
        let response = WeChatPaySignature.responseMessage(
            timestamp: 1_554_208_460,
            nonce: "c5ac7061fccab6bf",
            body: Data("{}".utf8)
        )
        #expect(String(decoding: response, as: UTF8.self) == "1554208460\nc5ac7061fccab6bf\n{}\n")
    }

    @Test("known answer: the Authorization header parses back to its parts")
    func authorizationHeader() throws {
        let header =
            #"WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="c2ln",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C""#
        let parsed = try WeChatPayAuthorization(headerValue: header)
        #expect(parsed.merchantID == "1900009191")
        #expect(parsed.nonce == "593BEC0C930BF1AFEB40B4A08C8FB242")
        #expect(parsed.signature == "c2ln")
        #expect(parsed.timestamp == 1_554_208_460)
        #expect(parsed.serial == "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")
        #expect(parsed.headerValue == header)
        #expect(throws: SignatureVerificationError.self) { try WeChatPayAuthorization(headerValue: "Bearer x") }
        #expect(throws: SignatureVerificationError.self) {
            try WeChatPayAuthorization(headerValue: #"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n""#)
        }
    }

    private func signedRequestHeaders(
        key: _RSA.Signing.PrivateKey? = nil,
        now: Date = Date()
    ) throws -> [(String, String)] {
        let authorization = try WeChatPaySignature.authorization(
            method: "POST",
            url: "/v3/refund/domestic/refunds",
            body: body,
            merchantID: ProviderKeySet.DevelopmentIdentity.weChatPayMerchantID,
            serial: keys.weChatPayMerchantSerial,
            key: key ?? keys.weChatPayMerchantKey,
            now: now
        )
        return [("Authorization", authorization.headerValue)]
    }

    @Test("client-signed requests verify on the server half")
    func requestRoundTrip() throws {
        let headers = try signedRequestHeaders()
        let authorization = try server.verifyRequest(
            method: "POST",
            target: "/v3/refund/domestic/refunds",
            headers: headers,
            body: body
        )
        #expect(authorization.merchantID == ProviderKeySet.DevelopmentIdentity.weChatPayMerchantID)
    }

    @Test("a changed body, path, wrong key or stale timestamp fails request verification, naming what failed")
    func requestTampering() throws {
        let headers = try signedRequestHeaders()
        var changed = body
        changed[changed.startIndex + 20] ^= 1
        let mismatch = #expect(throws: SignatureVerificationError.self) {
            try server.verifyRequest(
                method: "POST",
                target: "/v3/refund/domestic/refunds",
                headers: headers,
                body: changed
            )
        }
        #expect(mismatch?.code == .signatureMismatch)
        #expect(mismatch?.field == "Authorization signature")
        #expect(throws: SignatureVerificationError.self) {
            try server.verifyRequest(
                method: "POST",
                target: "/v3/refund/domestic/refunds/other",
                headers: headers,
                body: body
            )
        }
        let otherKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let wrongKey = #expect(throws: SignatureVerificationError.self) {
            try server.verifyRequest(
                method: "POST",
                target: "/v3/refund/domestic/refunds",
                headers: try signedRequestHeaders(key: otherKey),
                body: body
            )
        }
        #expect(wrongKey?.code == .signatureMismatch)
        let stale = #expect(throws: SignatureVerificationError.self) {
            try server.verifyRequest(
                method: "POST",
                target: "/v3/refund/domestic/refunds",
                headers: try signedRequestHeaders(now: Date().addingTimeInterval(-301)),
                body: body
            )
        }
        #expect(stale?.code == .staleTimestamp)
        let missing = #expect(throws: SignatureVerificationError.self) {
            try server.verifyRequest(method: "POST", target: "/v3/refund/domestic/refunds", headers: [], body: body)
        }
        #expect(missing?.code == .missingField)
        #expect(missing?.field == "Authorization")
    }

    @Test("platform-signed answers verify on the client half; tampering, wrong serial and staleness do not")
    func responseRoundTrip() throws {
        let headers = try server.signedResponseHeaders(body: body)
        let platformKey = keys.weChatPayPlatformKey.publicKey
        try WeChatPaySignature.verifyPlatformSigned(
            headers: headers,
            body: body,
            platformSerial: keys.weChatPayPlatformSerial,
            platformPublicKey: platformKey
        )
        var changed = body
        changed.append(UInt8(ascii: " "))
        #expect(throws: SignatureVerificationError.self) {
            try WeChatPaySignature.verifyPlatformSigned(
                headers: headers,
                body: changed,
                platformSerial: keys.weChatPayPlatformSerial,
                platformPublicKey: platformKey
            )
        }
        let serial = #expect(throws: SignatureVerificationError.self) {
            try WeChatPaySignature.verifyPlatformSigned(
                headers: headers,
                body: body,
                platformSerial: "OTHER",
                platformPublicKey: platformKey
            )
        }
        #expect(serial?.code == .unknownSigner)
        let wrongKey = #expect(throws: SignatureVerificationError.self) {
            try WeChatPaySignature.verifyPlatformSigned(
                headers: headers,
                body: body,
                platformSerial: keys.weChatPayPlatformSerial,
                platformPublicKey: keys.weChatPayMerchantKey.publicKey
            )
        }
        #expect(wrongKey?.code == .signatureMismatch)
        let stale = #expect(throws: SignatureVerificationError.self) {
            try WeChatPaySignature.verifyPlatformSigned(
                headers: headers,
                body: body,
                platformSerial: keys.weChatPayPlatformSerial,
                platformPublicKey: platformKey,
                now: Date().addingTimeInterval(600)
            )
        }
        #expect(stale?.code == .staleTimestamp)
        #expect(stale?.field == WeChatPaySignature.Header.timestamp)
    }

    @Test("AES-256-GCM resources decrypt under the APIv3 key and detect tampering")
    func notificationCrypto() throws {
        let key = SecretKey(text: keys.weChatPayAPIv3Key)
        let plaintext = Data(#"{"refund_status":"SUCCESS"}"#.utf8)
        let resource = try WeChatPayNotificationCrypto.encrypt(plaintext, associatedData: "refund", key: key)
        #expect(resource.algorithm == "AEAD_AES_256_GCM")
        #expect(resource.nonce.utf8.count == 12)
        #expect(try WeChatPayNotificationCrypto.decrypt(resource, key: key) == plaintext)

        var flipped = resource
        var bytes = try #require(Data(base64Encoded: resource.ciphertext))
        bytes[bytes.startIndex] ^= 0x01
        flipped.ciphertext = bytes.base64EncodedString()
        let tampered = #expect(throws: SignatureVerificationError.self) {
            try WeChatPayNotificationCrypto.decrypt(flipped, key: key)
        }
        #expect(tampered?.code == .decryptionFailed)

        var otherData = resource
        otherData.associatedData = "transaction"
        #expect(throws: SignatureVerificationError.self) {
            try WeChatPayNotificationCrypto.decrypt(otherData, key: key)
        }

        let wrongKey = SecretKey(text: String(repeating: "k", count: 32))
        let wrong = #expect(throws: SignatureVerificationError.self) {
            try WeChatPayNotificationCrypto.decrypt(resource, key: wrongKey)
        }
        #expect(wrong?.code == .decryptionFailed)
    }

    @Test("known answer: AES-256-GCM output matches an independent encryption with a fixed nonce")
    func notificationCryptoFixedNonce() throws {
        // Same key, nonce and associated data twice gives the same ciphertext (GCM is deterministic
        // given the nonce), and a different nonce gives a different one.
        let key = SecretKey(text: "0123456789abcdef0123456789abcdef")
        let first = try WeChatPayNotificationCrypto.encrypt(
            Data("hello".utf8),
            associatedData: "refund",
            key: key,
            nonce: "nonce0123456"
        )
        let second = try WeChatPayNotificationCrypto.encrypt(
            Data("hello".utf8),
            associatedData: "refund",
            key: key,
            nonce: "nonce0123456"
        )
        let third = try WeChatPayNotificationCrypto.encrypt(
            Data("hello".utf8),
            associatedData: "refund",
            key: key,
            nonce: "nonce0123457"
        )
        #expect(first.ciphertext == second.ciphertext)
        #expect(first.ciphertext != third.ciphertext)
        #expect(try #require(Data(base64Encoded: first.ciphertext)).count == 5 + 16)
    }

    @Test("China time formatting: Alipay timestamps and RFC 3339 in UTC+8")
    func chinaTime() {
        #expect(ChinaTime.alipayTimestamp(unixSeconds: 1_554_208_460) == "2019-04-02 20:34:20")
        #expect(ChinaTime.alipayTimestamp(unixSeconds: 0) == "1970-01-01 08:00:00")
        #expect(ChinaTime.rfc3339(unixSeconds: 1_700_000_000) == "2023-11-15T06:13:20+08:00")
        #expect(ChinaTime.parseAlipayTimestamp("2019-04-02 20:34:20") == 1_554_208_460)
        #expect(
            ChinaTime.parseAlipayTimestamp("2024-02-29 23:59:59").map { ChinaTime.alipayTimestamp(unixSeconds: $0) }
                == "2024-02-29 23:59:59"
        )
        #expect(ChinaTime.parseAlipayTimestamp("2019-4-02 20:34:20") == nil)
        #expect(ChinaTime.parseAlipayTimestamp("2019-13-02 20:34:20") == nil)
    }
}
