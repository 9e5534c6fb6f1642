import AsyncHTTPClient
import Crypto
import Foundation
import NotificationChannels
import NotificationService
import RefundMeshAPI
import RefundMeshStoreTestSupport
import Synchronization
import Testing

/// A small SMS provider following the spec: checks the account and signature, limits each phone,
/// accepts a message id once and answers a repeat `duplicate: true`.
final class SMSProvider: Sendable {
    struct State {
        var delivered: [String: String] = [:]
        var limitedPhones: Set<String> = []
        var rateLimitOnce: Set<String> = []
    }

    let account = "acct-1"
    let secret = "sms-secret-0123456789"
    let state = Mutex(State())

    /// The next message to `phone` is answered 429 once, as the 1-per-second limit would.
    func limitNext(_ phone: String) { state.withLock { _ = $0.rateLimitOnce.insert(phone) } }

    var delivered: [String: String] { state.withLock { $0.delivered } }

    func respond(_ request: HTTPReceiver.Request, _: Int) -> HTTPReceiver.Reply {
        guard request.method == "POST", request.uri == "/sms/v1/messages" else { return .init(status: 404) }
        guard request.header("X-Sms-Account") == account, let timestamp = request.header("X-Sms-Timestamp"),
            let signature = request.header("X-Sms-Signature").flatMap({ Data(base64Encoded: $0) })
        else { return .init(status: 401, body: #"{"code":"SIGN_ERROR"}"#) }
        var signed = Data((timestamp + "\n").utf8)
        signed.append(request.body)
        guard
            HMAC<SHA256>.isValidAuthenticationCode(
                signature,
                authenticating: signed,
                using: SymmetricKey(data: Data(secret.utf8))
            )
        else { return .init(status: 401, body: #"{"code":"SIGN_ERROR"}"#) }
        guard let message = try? JSONSerialization.jsonObject(with: request.body) as? [String: String],
            let id = message["message_id"], let phone = message["phone"], let text = message["text"],
            message["sign_name"] != nil
        else { return .init(status: 400, body: #"{"code":"PARAM_ERROR"}"#) }
        return state.withLock { state in
            if state.delivered[id] != nil {
                return .init(status: 200, body: #"{"message_id":"\#(id)","status":"ACCEPTED","duplicate":true}"#)
            }
            if state.rateLimitOnce.remove(phone) != nil {
                return .init(status: 429, body: #"{"code":"RATE_LIMITED"}"#)
            }
            state.delivered[id] = text
            return .init(status: 200, body: #"{"message_id":"\#(id)","status":"ACCEPTED","duplicate":false}"#)
        }
    }
}

/// SMS through the provider API of the spec, against a real HTTP server (R-N2, R-N3).
@Suite("SMS channel")
struct SMSChannelTests {
    private func channel(
        _ client: HTTPClient,
        port: Int,
        provider: SMSProvider,
        secret: String? = nil,
        clock: TestClock
    ) -> SMSChannel {
        SMSChannel(
            client: client,
            baseURL: "http://127.0.0.1:\(port)/",
            account: provider.account,
            secret: secret ?? provider.secret,
            signName: "RefundMesh",
            timeout: .seconds(20),
            now: clock.function
        )
    }

    @Test(
        "signed, message_id = event id: rate-limited then accepted once; a repeat is a duplicate, not a second SMS",
        arguments: TestBackend.all
    )
    func rateLimitAndDuplicate(_ backend: TestBackend) async throws {
        let provider = SMSProvider()
        try await withNotificationFixture(backend) { fixture in
            try await withHTTPReceiver(respond: provider.respond) { receiver, port in
                try await withHTTPClient { client in
                    let sms = channel(client, port: port, provider: provider, clock: fixture.clock)
                    _ = try await fixture.client.setPreferences(
                        ChannelPreferences(userID: "u-1", smsEnabled: true, phone: "138 1234 5678")
                    )
                    provider.limitNext("+8613812345678")
                    _ = try await fixture.client.publish(refundEvent("sms-1", kind: .moneySent))
                    let worker = fixture.worker([sms])
                    #expect(try await worker.runRound() == 1)
                    var delivery = try #require(try await fixture.delivery("sms-1/sms"))
                    #expect(delivery.state == .due && delivery.log.first?.statusCode == 429)
                    #expect(delivery.nextAttemptAtMs - (delivery.log.first?.atMs ?? 0) >= 1000)
                    #expect(try await worker.runRound() == 0)
                    fixture.clock.advance(by: 1000)
                    #expect(try await worker.runRound() == 1)
                    delivery = try #require(try await fixture.delivery("sms-1/sms"))
                    #expect(delivery.state == .delivered)
                    #expect(delivery.destination == "+8613812345678")
                    let text = try #require(provider.delivered["sms-1"])
                    #expect(text.contains("rf-sms-1") && text.count <= NotificationTemplates.smsLimit(.zhCN))

                    // A retry after a lost report: the provider recognises the message id.
                    let again = await sms.send(
                        OutgoingNotification(
                            deliveryID: "sms-1/sms",
                            eventID: "sms-1",
                            userID: "u-1",
                            channel: .sms,
                            destination: "+8613812345678",
                            locale: "zh-CN",
                            subject: "",
                            text: text,
                            attempt: 3
                        )
                    )
                    #expect(again.accepted)
                    #expect(again.reply.contains(#""duplicate":true"#))
                    #expect(provider.delivered.count == 1)
                    #expect(receiver.requests.count == 3)
                    let body = try #require(
                        try JSONSerialization.jsonObject(with: receiver.requests[1].body) as? [String: String]
                    )
                    #expect(body["message_id"] == "sms-1" && body["sign_name"] == "RefundMesh")
                }
            }
        }
    }

    @Test(
        "a wrong secret is refused (401 SIGN_ERROR) and goes to the dead letters with what to fix",
        arguments: TestBackend.all
    )
    func badSignature(_ backend: TestBackend) async throws {
        let provider = SMSProvider()
        try await withNotificationFixture(backend) { fixture in
            try await withHTTPReceiver(respond: provider.respond) { _, port in
                try await withHTTPClient { client in
                    let sms = channel(
                        client,
                        port: port,
                        provider: provider,
                        secret: "not-the-secret",
                        clock: fixture.clock
                    )
                    _ = try await fixture.client.setPreferences(
                        ChannelPreferences(userID: "u-1", smsEnabled: true, phone: "+8613812345678")
                    )
                    _ = try await fixture.client.publish(refundEvent("sms-2"))
                    #expect(try await fixture.worker([sms]).runRound() == 1)
                    let delivery = try #require(try await fixture.delivery("sms-2/sms"))
                    #expect(delivery.state == .dead && delivery.log.first?.statusCode == 401)
                    #expect(delivery.lastError.contains("NOTIFY_SMS_SECRET_FILE"))
                    #expect(provider.delivered.isEmpty)
                }
            }
        }
    }

    @Test(
        "a channel this process does not run ends as a dead letter that says which setting to add",
        arguments: TestBackend.all
    )
    func channelOff(_ backend: TestBackend) async throws {
        try await withNotificationFixture(backend) { fixture in
            _ = try await fixture.client.setPreferences(
                ChannelPreferences(userID: "u-1", smsEnabled: true, phone: "13812345678")
            )
            _ = try await fixture.client.publish(refundEvent("sms-3"))
            #expect(try await fixture.worker([]).runRound() == 1)
            let delivery = try #require(try await fixture.delivery("sms-3/sms"))
            #expect(delivery.state == .dead)
            #expect(delivery.lastError.contains("NOTIFY_SMS_BASE_URL"))
        }
    }
}
