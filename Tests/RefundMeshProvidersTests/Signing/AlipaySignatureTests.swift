import Foundation
import Testing
import _CryptoExtras

@testable import RefundMeshProviders

@Suite("Alipay RSA2: canonical strings, requests, response nodes, notifications")
struct AlipaySignatureTests {
    let keys = TestProviders.keys
    var server: AlipayServer { AlipayServer(keySet: keys) }

    @Test("known answer: the canonical sign string sorts, drops sign and empty values, does not URL-encode")
    func canonicalString() {
        let parameters = [
            "app_id": "2014072300007148",
            "method": "alipay.trade.refund",
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": "2014-07-24 03:07:50",
            "version": "1.0",
            "biz_content":
                #"{"out_request_no":"HZ01RF001","out_trade_no":"20150320010101001","refund_amount":"200.12"}"#,
            "notify_url": "",
            "sign": "ignored",
        ]
        #expect(
            AlipaySignature.signContent(parameters)
                == #"app_id=2014072300007148&biz_content={"out_request_no":"HZ01RF001","out_trade_no":"20150320010101001","refund_amount":"200.12"}&charset=utf-8&format=JSON&method=alipay.trade.refund&sign_type=RSA2&timestamp=2014-07-24 03:07:50&version=1.0"#
        )
        #expect(
            AlipaySignature.signContent(
                ["b": "2", "a": "1", "sign": "s", "sign_type": "RSA2"],
                excluding: ["sign", "sign_type"]
            )
                == "a=1&b=2"
        )
        #expect(
            AlipaySignature.responseNodeName(method: "alipay.trade.fastpay.refund.query")
                == "alipay_trade_fastpay_refund_query_response"
        )
    }

    @Test("the refund biz_content carries yuan strings, decoded back to fen exactly")
    func bizContent() throws {
        let request = AlipayRefundRequest(outTradeNo: "T1", refundAmountFen: 20_012, outRequestNo: "HZ01RF001")
        let json = String(decoding: try WireJSON.encode(request), as: UTF8.self)
        #expect(json == #"{"out_request_no":"HZ01RF001","out_trade_no":"T1","refund_amount":"200.12"}"#)
        #expect(try WireJSON.decode(AlipayRefundRequest.self, from: Data(json.utf8)) == request)
        let bad = #"{"out_request_no":"R","refund_amount":"1.005"}"#
        #expect(throws: DecodingError.self) { try WireJSON.decode(AlipayRefundRequest.self, from: Data(bad.utf8)) }
    }

    private func signedRequestBody(key: _RSA.Signing.PrivateKey? = nil, now: Date = Date()) throws -> Data {
        var parameters: [String: String] = [
            "app_id": ProviderKeySet.DevelopmentIdentity.alipayAppID, "method": AlipayMethod.tradeRefund,
            "format": "JSON", "charset": "utf-8", "sign_type": "RSA2", "version": "1.0",
            "timestamp": ChinaTime.alipayTimestamp(unixSeconds: Int64(now.timeIntervalSince1970)),
            "biz_content": #"{"out_request_no":"R1","out_trade_no":"T1","refund_amount":"1.00"}"#,
        ]
        parameters["sign"] = try AlipaySignature.signRequest(parameters, key: key ?? keys.alipayAppKey)
        return Data(FormEncoding.encode(parameters.sorted { $0.key < $1.key }).utf8)
    }

    @Test("app-signed requests verify on the server half; tampering, wrong key and staleness do not")
    func requestRoundTrip() throws {
        let request = try server.verifyRequest(body: try signedRequestBody())
        #expect(request.method == AlipayMethod.tradeRefund)
        #expect(try request.decodeBizContent(AlipayRefundRequest.self).refundAmountFen == 100)

        let tampered = Data(
            String(decoding: try signedRequestBody(), as: UTF8.self).replacingOccurrences(of: "1.00", with: "9.00").utf8
        )
        let mismatch = #expect(throws: SignatureVerificationError.self) { try server.verifyRequest(body: tampered) }
        #expect(mismatch?.code == .signatureMismatch)
        #expect(mismatch?.field == "sign")
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        #expect(throws: SignatureVerificationError.self) {
            try server.verifyRequest(body: try signedRequestBody(key: other))
        }
        let stale = #expect(throws: SignatureVerificationError.self) {
            try server.verifyRequest(body: try signedRequestBody(now: Date().addingTimeInterval(-3600)))
        }
        #expect(stale?.code == .staleTimestamp)
        #expect(stale?.field == "timestamp")
    }

    @Test("signed response nodes verify over their exact text; a changed node or a wrong key does not")
    func responseRoundTrip() throws {
        let node = AlipayRefundResponse(
            tradeNo: "2014112611001004680073956707",
            outTradeNo: "T1",
            fundChange: "Y",
            refundFeeFen: 8812
        )
        let body = try server.signedResponse(method: AlipayMethod.tradeRefund, node: node)
        let names = [AlipaySignature.responseNodeName(method: AlipayMethod.tradeRefund), "error_response"]
        let verified = try AlipaySignature.verifiedResponseNode(
            in: body,
            nodeNames: names,
            key: keys.alipayKey.publicKey
        )
        #expect(verified.signed)
        let decoded = try WireJSON.decode(AlipayRefundResponse.self, from: verified.json)
        #expect(decoded == node)
        #expect(String(decoding: body, as: UTF8.self).contains(#""refund_fee":"88.12""#))

        let tampered = Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "88.12", with: "99.12").utf8)
        let mismatch = #expect(throws: SignatureVerificationError.self) {
            try AlipaySignature.verifiedResponseNode(in: tampered, nodeNames: names, key: keys.alipayKey.publicKey)
        }
        #expect(mismatch?.code == .signatureMismatch)
        #expect(throws: SignatureVerificationError.self) {
            try AlipaySignature.verifiedResponseNode(in: body, nodeNames: names, key: keys.alipayAppKey.publicKey)
        }
    }

    @Test("the response scanner finds nodes in pretty-printed bodies with nested objects and escaped quotes")
    func scanner() throws {
        let text = """
            { "alipay_trade_refund_response" : {"code":"10000","msg":"Suc\\"cess","nested":{"a":[1,{"b":"}"}]}} ,
              "sign" : "abc" }
            """
        let members = try TopLevelJSONMembers.scan(Data(text.utf8))
        let node = try #require(members["alipay_trade_refund_response"])
        #expect(
            String(decoding: Data(text.utf8).subdata(in: node), as: UTF8.self)
                == #"{"code":"10000","msg":"Suc\"cess","nested":{"a":[1,{"b":"}"}]}}"#
        )
        #expect(try #require(members["sign"]).count == 5)
        #expect(throws: SignatureVerificationError.self) { try TopLevelJSONMembers.scan(Data("[1]".utf8)) }
        #expect(throws: SignatureVerificationError.self) { try TopLevelJSONMembers.scan(Data(#"{"a":"#.utf8)) }
    }

    @Test("notifications verify over all but sign and sign_type; tampering is detected")
    func notificationRoundTrip() throws {
        let body = try server.notification(parameters: [
            "notify_id": "N1", "trade_no": "TN", "out_trade_no": "T1", "out_biz_no": "R1",
            "trade_status": "TRADE_SUCCESS", "refund_fee": "12.34", "gmt_refund": "2026-11-25 10:00:00",
        ])
        let parameters = Dictionary(
            try #require(FormEncoding.decode(String(decoding: body, as: UTF8.self))),
            uniquingKeysWith: { a, _ in a }
        )
        try AlipaySignature.verifyNotification(parameters, key: keys.alipayKey.publicKey)
        let notification = try AlipayNotification(parameters: parameters)
        #expect(notification.refundFeeFen == 1234)
        #expect(notification.outBizNo == "R1")
        var changed = parameters
        changed["refund_fee"] = "99.99"
        #expect(throws: SignatureVerificationError.self) {
            try AlipaySignature.verifyNotification(changed, key: self.keys.alipayKey.publicKey)
        }
        var otherType = parameters
        otherType["sign_type"] = "RSA"  // not covered by the notification signature, as Alipay documents
        try AlipaySignature.verifyNotification(otherType, key: keys.alipayKey.publicKey)
    }

    @Test("form encoding round-trips Chinese text, spaces, & and =")
    func formEncoding() throws {
        let pairs = [("refund_reason", "正常退款 & more=1+1"), ("timestamp", "2014-07-24 03:07:50")]
        let encoded = FormEncoding.encode(pairs)
        #expect(!encoded.contains(" "))
        let decoded = try #require(FormEncoding.decode(encoded))
        #expect(decoded.map(\.0) == pairs.map(\.0))
        #expect(decoded.map(\.1) == pairs.map(\.1))
        #expect(FormEncoding.decode("a=%E4%B8") == nil)
        #expect(FormEncoding.decode("a=b+c").map { $0[0].1 } == "b c")
    }
}
