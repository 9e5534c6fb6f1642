import Foundation
import NIOHTTP1
import Testing

@testable import ProviderSandbox

/// The SMS gateway (R-N2): signatures, one acceptance per message id, one message per phone per
/// second, and the delivered list.
@Suite struct SMSTests {
    struct Listed: Decodable {
        struct Message: Decodable {
            var message_id: String
            var phone: String
            var text: String
        }
        var messages: [Message]
    }

    static func send(
        _ harness: SandboxHarness,
        id: String,
        phone: String = "13800000000",
        secret: [UInt8]? = nil
    ) async throws -> (status: Int, body: String) {
        let keys = try SandboxHarness.keys
        let secret = secret ?? Array(keys.smsSecret.utf8)
        let body = #"{"message_id":"\#(id)","phone":"\#(phone)","text":"您的退款已到账","sign_name":"RefundMesh"}"#
        let timestamp = String(Int64(Date().timeIntervalSince1970))
        let signature = SMSRoutes.signature(body: Array(body.utf8), timestamp: timestamp, secret: secret)
        let (status, answer) = try await harness.send(
            .POST,
            "/sms/v1/messages",
            json: body,
            headers: [
                ("X-Sms-Account", keys.smsAccount), ("X-Sms-Timestamp", timestamp),
                ("X-Sms-Signature", signature),
            ]
        )
        return (status, String(decoding: answer, as: UTF8.self))
    }

    @Test("the same message_id twice is delivered once and answered duplicate:true")
    func dedupe() async throws {
        try await SandboxHarness.with { harness in
            let first = try await Self.send(harness, id: "m-1")
            #expect(first.status == 200)
            #expect(first.body.contains(#""duplicate":false"#))
            let second = try await Self.send(harness, id: "m-1")
            #expect(second.status == 200)
            #expect(second.body.contains(#""duplicate":true"#))
            let listed = try await harness.get("/sandbox/v1/sms?phone=13800000000", as: Listed.self)
            #expect(listed.messages.map(\.message_id) == ["m-1"])
            #expect(listed.messages.first?.text == "您的退款已到账")
        }
    }

    @Test("a wrong signature is 401 SIGN_ERROR and nothing is delivered")
    func signature() async throws {
        try await SandboxHarness.with { harness in
            let answer = try await Self.send(harness, id: "m-x", secret: Array("wrong".utf8))
            #expect(answer.status == 401)
            #expect(answer.body.contains("SIGN_ERROR"))
            let (status, _) = try await harness.send(.POST, "/sms/v1/messages", json: "{}")
            #expect(status == 401)
            #expect(try await harness.get("/sandbox/v1/sms", as: Listed.self).messages.isEmpty)
        }
    }

    @Test("a second message to one phone within a second is 429 RATE_LIMITED; other phones are not")
    func phoneRate() async throws {
        try await SandboxHarness.with(Tweak { $0.limits.smsPhoneInterval = .seconds(30) }) { harness in
            #expect(try await Self.send(harness, id: "a-1", phone: "13900000001").status == 200)
            let limited = try await Self.send(harness, id: "a-2", phone: "13900000001")
            #expect(limited.status == 429)
            #expect(limited.body.contains("RATE_LIMITED"))
            #expect(try await Self.send(harness, id: "b-1", phone: "13900000002").status == 200)
        }
    }

    @Test("a scripted SYSTEM_ERROR is 500 and delivers nothing; the retry is accepted")
    func scriptedFailure() async throws {
        try await SandboxHarness.with { harness in
            try await harness.addRule(
                #"{"provider":"sms","match":{"phone":"13700000000"},"behaviour":{"fail":"SYSTEM_ERROR"}}"#
            )
            #expect(try await Self.send(harness, id: "f-1", phone: "13700000000").status == 500)
            #expect(try await Self.send(harness, id: "f-1", phone: "13700000000").status == 200)
            #expect(try await harness.get("/sandbox/v1/sms", as: Listed.self).messages.count == 1)
        }
    }
}
