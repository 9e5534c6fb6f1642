import AsyncHTTPClient
import Foundation
import NotificationChannels
import NotificationService
import RefundMeshAPI
import RefundMeshRPC
import RefundMeshStoreTestSupport
import Synchronization
import Testing

/// Webhooks against a real HTTP receiver (R-N2, R-N3): signed, retried with backoff, delivered
/// once, dead-lettered and put back by an operator.
@Suite("webhook channel")
struct WebhookChannelTests {
    @Test(
        "a receiver failing twice gets the event three times, signed, then never again (R-N3)",
        arguments: TestBackend.all
    )
    func retriesWithBackoffThenDeliversOnce(_ backend: TestBackend) async throws {
        try await withNotificationFixture(backend) { fixture in
            let failTwice: @Sendable (HTTPReceiver.Request, Int) -> HTTPReceiver.Reply = { _, index in
                index < 2 ? .init(status: 503, body: "busy") : .init(status: 204)
            }
            try await withHTTPReceiver(respond: failTwice) { receiver, port in
                try await withHTTPClient { http in
                    _ = try await fixture.client.setPreferences(
                        ChannelPreferences(
                            userID: "u-1",
                            webhookEnabled: true,
                            webhookURL: "http://127.0.0.1:\(port)/refund-events",
                            webhookSecret: webhookSecret,
                            locale: "en"
                        )
                    )
                    _ = try await fixture.client.publish(refundEvent("e-1"))
                    let worker = fixture.worker([
                        WebhookChannel(client: http, timeout: .seconds(20), now: fixture.clock.function)
                    ])
                    let id = DeliveryStore.deliveryID(eventID: "e-1", channel: .webhook)

                    #expect(try await worker.runRound() == 1)
                    #expect(try await worker.runRound() == 0, "not due again before its backoff")
                    var delivery = try #require(try await fixture.delivery(id))
                    #expect(delivery.state == .due)
                    #expect(delivery.nextAttemptAtMs - delivery.log[0].atMs >= 1000)
                    fixture.clock.advance(by: 1000)
                    #expect(try await worker.runRound() == 1)
                    delivery = try #require(try await fixture.delivery(id))
                    #expect(delivery.nextAttemptAtMs - delivery.log[1].atMs >= 2000, "exponential: 1 s, then 2 s")
                    fixture.clock.advance(by: 2000)
                    #expect(try await worker.runRound() == 1)
                    fixture.clock.advance(by: 60_000)
                    #expect(try await worker.runRound() == 0, "delivered: nothing left to send")

                    delivery = try #require(try await fixture.delivery(id))
                    #expect(delivery.state == .delivered)
                    #expect(delivery.log.map(\.outcome) == [.retry, .retry, .delivered])
                    #expect(delivery.log.map(\.statusCode) == [503, 503, 204])
                    #expect(delivery.log[0].reply == "busy")

                    let requests = receiver.requests
                    #expect(requests.count == 3)
                    for request in requests {
                        #expect(request.method == "POST" && request.uri == "/refund-events")
                        #expect(request.header("RefundMesh-Event-Id") == "e-1")
                        let timestamp = try #require(request.header("RefundMesh-Timestamp").flatMap { Int64($0) })
                        let signature = try #require(request.header("RefundMesh-Signature"))
                        #expect(
                            WebhookSignature.isValid(
                                header: signature,
                                secret: webhookSecret,
                                timestamp: timestamp,
                                body: request.body,
                                now: fixture.clock.now / 1000
                            )
                        )
                        #expect(
                            !WebhookSignature.isValid(
                                header: signature,
                                secret: "another-secret-0123456789",
                                timestamp: timestamp,
                                body: request.body,
                                now: fixture.clock.now / 1000
                            ),
                            "another secret does not verify"
                        )
                    }
                    #expect(requests.map { $0.header("RefundMesh-Delivery-Attempt") } == ["1", "2", "3"])
                    let json = try #require(
                        try JSONSerialization.jsonObject(with: requests[2].body) as? [String: Any]
                    )
                    #expect(json["id"] as? String == "e-1")
                    #expect(json["type"] as? String == "refund.approved")
                    let data = try #require(json["data"] as? [String: Any])
                    #expect(data["amount_fen"] as? Int == 12_345)
                    let text = try #require(json["text"] as? [String: Any])
                    #expect(text["title"] as? String == "Refund approved", "the user's locale (en) wins")
                }
            }
        }
    }

    @Test(
        "a receiver failing always ends in the dead letters; an operator's retry delivers it (R-N3)",
        arguments: TestBackend.all
    )
    func deadLetterAndOperatorRetry(_ backend: TestBackend) async throws {
        try await withNotificationFixture(backend) { fixture in
            let healthy = Atomic<Bool>(false)
            let failUntilHealthy: @Sendable (HTTPReceiver.Request, Int) -> HTTPReceiver.Reply = { _, _ in
                healthy.load(ordering: .relaxed) ? .init(status: 200, body: "ok") : .init(status: 500, body: "down")
            }
            try await withHTTPReceiver(respond: failUntilHealthy) { receiver, port in
                try await withHTTPClient { http in
                    _ = try await fixture.client.setPreferences(
                        ChannelPreferences(
                            userID: "u-1",
                            webhookEnabled: true,
                            webhookURL: "http://localhost:\(port)/hook",
                            webhookSecret: webhookSecret
                        )
                    )
                    _ = try await fixture.client.publish(refundEvent("e-2", kind: .rejected))
                    let worker = fixture.worker(
                        [WebhookChannel(client: http, timeout: .seconds(20), now: fixture.clock.function)],
                        attempts: 3
                    )
                    for _ in 0..<3 {
                        #expect(try await worker.runRound() == 1)
                        fixture.clock.advance(by: 10_000)
                    }
                    #expect(try await worker.runRound() == 0, "a dead letter is not retried on its own")
                    let dead = try await fixture.client.listDeadLetters(ListDeadLettersRequest())
                    let letter = try #require(dead.deliveries.first)
                    #expect(dead.deliveries.count == 1)
                    #expect(letter.deliveryID == "e-2/webhook" && letter.state == .dead)
                    #expect(letter.log.map(\.outcome) == [.retry, .retry, .dead])
                    #expect(letter.lastError.contains("500"))

                    let anonymous = await #expect(throws: RPCError.self) {
                        _ = try await fixture.client.retryDeadLetter(RetryDeadLetterRequest(deliveryID: "e-2/webhook"))
                    }
                    #expect(anonymous?.code == .invalidArgument)
                    #expect(anonymous?.message.contains("operator_id") == true)

                    healthy.store(true, ordering: .relaxed)
                    let back = try await fixture.client.retryDeadLetter(
                        RetryDeadLetterRequest(deliveryID: "e-2/webhook", operatorID: "ops-7")
                    )
                    #expect(back.state == .due && back.retriedBy == "ops-7")
                    #expect(try await worker.runRound() == 1)
                    let delivered = try #require(try await fixture.delivery("e-2/webhook"))
                    #expect(delivered.state == .delivered)
                    #expect(delivered.log.count == 4)
                    #expect(try await fixture.client.listDeadLetters(ListDeadLettersRequest()).deliveries.isEmpty)
                    #expect(receiver.requests.count == 4)

                    let again = await #expect(throws: RPCError.self) {
                        _ = try await fixture.client.retryDeadLetter(
                            RetryDeadLetterRequest(deliveryID: "e-2/webhook", operatorID: "ops-7")
                        )
                    }
                    #expect(again?.code == .failedPrecondition)
                    let missing = await #expect(throws: RPCError.self) {
                        _ = try await fixture.client.retryDeadLetter(
                            RetryDeadLetterRequest(deliveryID: "nope/webhook", operatorID: "ops-7")
                        )
                    }
                    #expect(missing?.code == .notFound)
                }
            }
        }
    }

    @Test(
        "a 4xx answer other than 408/429 is a dead letter at once; a redelivered event adds no delivery",
        arguments: TestBackend.all
    )
    func refusedIsPermanent(_ backend: TestBackend) async throws {
        try await withNotificationFixture(backend) { fixture in
            let refuse: @Sendable (HTTPReceiver.Request, Int) -> HTTPReceiver.Reply = { _, _ in
                .init(status: 401, body: "bad signature")
            }
            try await withHTTPReceiver(respond: refuse) { _, port in
                try await withHTTPClient { http in
                    _ = try await fixture.client.setPreferences(
                        ChannelPreferences(
                            userID: "u-1",
                            webhookEnabled: true,
                            webhookURL: "http://127.0.0.1:\(port)/hook",
                            webhookSecret: webhookSecret
                        )
                    )
                    #expect(try await fixture.client.publish(refundEvent("e-3")).firstTime)
                    #expect(!(try await fixture.client.publish(refundEvent("e-3")).firstTime))
                    let all = try await fixture.client.listDeliveries(ListDeliveriesRequest(userID: "u-1"))
                    #expect(all.deliveries.count == 1, "one delivery per event and channel, however often it comes")
                    let worker = fixture.worker([
                        WebhookChannel(client: http, timeout: .seconds(20), now: fixture.clock.function)
                    ])
                    #expect(try await worker.runRound() == 1)
                    let delivery = try #require(try await fixture.delivery("e-3/webhook"))
                    #expect(delivery.state == .dead && delivery.attempts == 1)
                    #expect(delivery.log.first?.statusCode == 401)
                }
            }
        }
    }

    @Test("signatures: the documented scheme, several v1 entries, stale timestamps refused")
    func signatureScheme() {
        let body = Data(#"{"id":"e-1"}"#.utf8)
        let header = WebhookSignature.header(secret: "s3cret-s3cret-s3cret", timestamp: 1_764_000_000, body: body)
        #expect(header.hasPrefix("v1=") && header.count == 3 + 64)
        #expect(
            WebhookSignature.isValid(
                header: "v1=00ff, " + header,
                secret: "s3cret-s3cret-s3cret",
                timestamp: 1_764_000_000,
                body: body,
                now: 1_764_000_100
            )
        )
        #expect(
            !WebhookSignature.isValid(
                header: header,
                secret: "s3cret-s3cret-s3cret",
                timestamp: 1_764_000_000,
                body: body,
                now: 1_764_000_000 + 301
            ),
            "older than the 5-minute tolerance"
        )
        #expect(
            !WebhookSignature.isValid(
                header: header,
                secret: "s3cret-s3cret-s3cret",
                timestamp: 1_764_000_000,
                body: Data(#"{"id":"e-2"}"#.utf8),
                now: 1_764_000_000
            )
        )
    }
}
