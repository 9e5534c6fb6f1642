import Foundation
import RefundMeshAPI
import RefundMeshRPC
import Testing

/// The real `notification` executable, over TCP, with its own SQLite file (R-N1 … R-N3).
@Suite("notification service (real process)")
struct NotificationServiceTests {
    private func event(
        _ id: String,
        user: String = "u-1",
        kind: RefundEvent.Kind = .received,
        locale: String = ""
    ) -> RefundEvent {
        RefundEvent(
            eventID: id,
            userID: user,
            refundID: "r-\(id)",
            orderID: "o-1",
            kind: kind,
            amountFen: 10_000,
            feeFen: 60,
            rule: "R-R1",
            reason: "card key not activated",
            atMs: 1_764_000_000_000,
            locale: locale
        )
    }

    @Test("R-N3: an event delivered twice is shown once; the inbox lists, counts and marks read")
    func publishOnceListAndMarkRead() async throws {
        let service = try ServiceProcess("notification")
        try await service.start()
        let client = service.client()
        let notification = Notification.Client(client)

        let first = try await notification.publish(event("e-1"))
        let again = try await notification.publish(event("e-1"))
        #expect(first.firstTime)
        #expect(!again.firstTime)
        _ = try await notification.publish(event("e-2", kind: .moneySent, locale: "en"))
        _ = try await notification.publish(event("e-3", user: "u-2"))

        let inbox = try await notification.listInbox(ListInboxRequest(userID: "u-1"))
        #expect(inbox.items.map(\.eventID).sorted() == ["e-1", "e-2"])
        #expect(inbox.unreadCount == 2)
        let received = try #require(inbox.items.first { $0.eventID == "e-1" })
        #expect(received.title == "退款申请已受理")  // Chinese by default (R-N2)
        let sent = try #require(inbox.items.first { $0.eventID == "e-2" })
        #expect(sent.body.contains("¥100.00") && sent.body.contains("¥0.60"))

        // Another user's item id changes nothing here.
        let other = try await notification.listInbox(ListInboxRequest(userID: "u-2")).items[0].itemID
        _ = try await notification.markRead(MarkReadRequest(userID: "u-1", itemIds: [received.itemID, other]))
        let after = try await notification.listInbox(ListInboxRequest(userID: "u-1", unreadOnly: true))
        #expect(after.items.map(\.eventID) == ["e-2"])
        #expect(try await notification.listInbox(ListInboxRequest(userID: "u-2")).unreadCount == 1)

        await client.close()
        #expect(try await service.stop() == 0, "SIGTERM ends the service cleanly")
    }

    @Test("bad events are refused with INVALID_ARGUMENT naming what is missing")
    func validation() async throws {
        let service = try ServiceProcess("notification")
        try await service.start()
        let client = service.client()
        let error = await #expect(throws: RPCError.self) {
            _ = try await Notification.Client(client).publish(RefundEvent(eventID: "x", kind: .approved))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("user_id") == true)
        await client.close()
        try await service.stop()
    }

    @Test("PublishBatch stores each event as Publish would, in one call; a refused event fails alone (R-N3)")
    func publishBatch() async throws {
        let service = try ServiceProcess("notification")
        try await service.start()
        let client = service.client()
        let notification = Notification.Client(client)
        _ = try await notification.publish(event("b-0"))
        var reused = event("b-0")
        reused.amountFen = 1
        let items = [
            BatchedRefundEvent(event: event("b-1"), traceID: "trace-b1"),
            BatchedRefundEvent(event: event("b-0")),  // delivered before: shown once
            BatchedRefundEvent(event: reused),  // the same id with other facts
            BatchedRefundEvent(event: RefundEvent(eventID: "b-bad", kind: .approved)),  // no user
            BatchedRefundEvent(),  // no event at all
            BatchedRefundEvent(event: event("b-2", kind: .moneySent)),
        ]
        let ack = try await notification.publishBatch(RefundEventBatch(items: items))
        #expect(ack.items.map(\.code) == [0, 0, 6, 3, 3, 0].map { UInt32($0) }, "\(ack.items)")
        #expect(ack.items.map(\.firstTime) == [true, false, false, false, false, true])
        #expect(ack.items[2].message.contains("amount_fen"), "names the field that differs: \(ack.items[2].message)")
        #expect(ack.items[3].message.contains("user_id"), "\(ack.items[3].message)")
        #expect(ack.items[4].message == "items[4].event is missing")
        let again = try await notification.publishBatch(RefundEventBatch(items: [items[0], items[5]]))
        #expect(again.items.map(\.firstTime) == [false, false], "a redelivered batch changes nothing")
        let inbox = try await notification.listInbox(ListInboxRequest(userID: "u-1"))
        #expect(inbox.items.map(\.eventID).sorted() == ["b-0", "b-1", "b-2"])

        let empty = await #expect(throws: RPCError.self) {
            _ = try await notification.publishBatch(RefundEventBatch())
        }
        #expect(empty?.code == .invalidArgument)
        let tooMany = await #expect(throws: RPCError.self) {
            _ = try await notification.publishBatch(
                RefundEventBatch(items: (0...256).map { BatchedRefundEvent(event: event("many-\($0)")) })
            )
        }
        #expect(tooMany?.code == .invalidArgument)
        #expect(tooMany?.message.contains("at most 256") == true)
        await client.close()
        try await service.stop()
    }

    @Test("WatchInbox streams new items as they arrive")
    func watch() async throws {
        let service = try ServiceProcess("notification")
        try await service.start()
        let client = service.client()
        let notification = Notification.Client(client)
        let seen = try await notification.watchInbox(WatchInboxRequest(userID: "u-9")) { stream in
            var iterator = stream.makeAsyncIterator()
            // Publish after the watch is open; retry until the subscription is in place.
            let publisher = Task {
                for attempt in 0..<50 {
                    _ = try await notification.publish(event("w-\(attempt)", user: "u-9"))
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            defer { publisher.cancel() }
            return try await iterator.next()?.eventID
        }
        #expect(seen?.hasPrefix("w-") == true)
        await client.close()
        try await service.stop()
    }

    @Test("after SIGKILL and a restart on the same data folder, nothing is lost and nothing doubles")
    func crashAndRestart() async throws {
        let service = try ServiceProcess("notification")
        try await service.start()
        var client = service.client()
        for index in 0..<20 {
            _ = try await Notification.Client(client).publish(event("k-\(index)"))
        }
        await client.close()
        try await service.kill()

        try await service.start()
        client = service.client()
        let notification = Notification.Client(client)
        // The senders' outboxes redeliver what they are unsure of: all 20 again.
        for index in 0..<20 {
            let ack = try await notification.publish(event("k-\(index)"))
            #expect(!ack.firstTime)
        }
        let inbox = try await notification.listInbox(ListInboxRequest(userID: "u-1", limit: 100))
        #expect(inbox.items.count == 20)
        await client.close()
        try await service.stop()
    }

    @Test(
        "R-N2/R-N3 over the real process: preferences, a delivery that fails to the dead letters, an operator's retry"
    )
    func preferencesDeliveriesAndDeadLetters() async throws {
        // A port nobody listens on: every webhook attempt is refused at once.
        let closed = try await withTestPeerServer([]) { port in port }
        let service = try ServiceProcess("notification")
        try await service.start(environment: [
            "NOTIFY_RETRY_INITIAL_MS": "20", "NOTIFY_RETRY_MAX_MS": "100", "NOTIFY_RETRY_ATTEMPTS": "2",
            "NOTIFY_WORKER_INTERVAL_MS": "20", "NOTIFY_WEBHOOK_TIMEOUT_MS": "1000",
        ])
        let client = service.client()
        let notification = Notification.Client(client)

        let refused = await #expect(throws: RPCError.self) {
            _ = try await notification.setPreferences(ChannelPreferences(userID: "u-1", smsEnabled: true, phone: "42"))
        }
        #expect(refused?.code == .invalidArgument && refused?.message.contains("phone") == true)
        let stored = try await notification.setPreferences(
            ChannelPreferences(
                userID: "u-1",
                webhookEnabled: true,
                webhookURL: "http://127.0.0.1:\(closed)/hook",
                webhookSecret: "whsec-0123456789abcdef"
            )
        )
        #expect(stored.webhookSecretSet && stored.webhookSecret.isEmpty)
        _ = try await notification.publish(event("d-1"))

        var letters: [Delivery] = []
        let dead = try await meshEventually(timeout: .seconds(60)) {
            letters = try await notification.listDeadLetters(ListDeadLettersRequest()).deliveries
            return !letters.isEmpty
        }
        #expect(dead, "the delivery ends in the dead letters")
        let letter = try #require(letters.first)
        #expect(letter.deliveryID == "d-1/webhook" && letter.log.count == 2)
        #expect(letter.log.map(\.outcome) == [.retry, .dead])

        let back = try await notification.retryDeadLetter(
            RetryDeadLetterRequest(deliveryID: "d-1/webhook", operatorID: "ops-1")
        )
        #expect(back.retriedBy == "ops-1")
        let deadAgain = try await meshEventually(timeout: .seconds(60)) {
            let deliveries = try await notification.listDeliveries(ListDeliveriesRequest(userID: "u-1")).deliveries
            return deliveries.first?.state == .dead && deliveries.first?.log.count == 4
        }
        #expect(deadAgain, "put back to due, tried twice more, dead again")
        await client.close()
        #expect(try await service.stop() == 0)
    }

    @Test("refundctl prefs set|show, deliveries, dead-letters and retry-dead-letter against the real process")
    func refundctlNotifications() async throws {
        let closed = try await withTestPeerServer([]) { port in port }
        let service = try ServiceProcess("notification")
        try await service.start(environment: [
            "NOTIFY_RETRY_INITIAL_MS": "20", "NOTIFY_RETRY_ATTEMPTS": "1", "NOTIFY_WORKER_INTERVAL_MS": "20",
            "NOTIFY_WEBHOOK_TIMEOUT_MS": "1000",
        ])
        let at = ["--notification", "127.0.0.1:\(service.port)"]
        func ctl(_ arguments: [String], expectSuccess: Bool = true) async throws -> String {
            let result = try await RefundCtl.run(arguments + at)
            #expect(
                (result.status == 0) == expectSuccess,
                "refundctl \(arguments.joined(separator: " ")): \(result.output)"
            )
            return result.output
        }
        let refused = try await ctl(
            ["prefs", "set", "--user", "u-7", "--sms", "on", "--phone", "12"],
            expectSuccess: false
        )
        #expect(refused.contains("phone \"12\""), "\(refused)")
        let set = try await ctl([
            "prefs", "set", "--user", "u-7", "--webhook", "on", "--url", "http://127.0.0.1:\(closed)/hook", "--secret",
            "whsec-0123456789abcdef", "--locale", "en",
        ])
        #expect(set.contains("webhook  on") && set.contains("(secret set)") && !set.contains("whsec-"), "\(set)")
        let shown = try await ctl(["prefs", "show", "--user", "u-7"])
        #expect(shown.contains("locale   en") && shown.contains("sms      off"), "\(shown)")

        let client = service.client()
        _ = try await Notification.Client(client).publish(event("ctl-1", user: "u-7"))
        await client.close()
        var letters = ""
        let dead = try await meshEventually(timeout: .seconds(60)) {
            letters = try await ctl(["dead-letters"])
            return letters.contains("ctl-1/webhook")
        }
        #expect(dead, "\(letters)")
        let anonymous = try await RefundCtl.run(["retry-dead-letter", "ctl-1/webhook"] + at, environment: [:])
        #expect(anonymous.status != 0 && anonymous.output.contains("--operator"), "\(anonymous.output)")
        let retried = try await ctl(["retry-dead-letter", "ctl-1/webhook", "--operator", "ops-2"])
        #expect(retried.contains("put back by ops-2"), "\(retried)")
        let listed = try await ctl(["deliveries", "--event", "ctl-1"])
        #expect(listed.contains("ctl-1/webhook") && listed.contains("#1"), "\(listed)")
        #expect(try await service.stop() == 0)
    }
}
