import Foundation
import NIOCore
import NIOPosix
import NotificationChannels
import NotificationService
import RefundMeshAPI
import RefundMeshStoreTestSupport
import Testing

/// E-mail against a real SMTP server (aiosmtpd) started by the test (R-N2, R-N3).
@Suite("e-mail channel (SMTP)")
struct SMTPChannelTests {
    private func channel(_ sink: SMTPSink, clock: TestClock, timeout: Duration = .seconds(20)) -> SMTPChannel {
        SMTPChannel(
            client: SMTPClient(host: "127.0.0.1", port: sink.port, helo: "notify.test", timeout: timeout),
            from: "refunds@refundmesh.test",
            now: clock.function
        )
    }

    @Test("headers, RFC 2047 UTF-8 subject, quoted-printable UTF-8 body and Message-ID as a real parser reads them")
    func messageAsParsed() async throws {
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let templates = NotificationTemplates()
        let event = refundEvent("rf-9:approved")
        let rendered = templates.email(event, in: .zhCN)
        let notification = OutgoingNotification(
            deliveryID: "rf-9:approved/email",
            eventID: event.eventID,
            userID: "u-1",
            channel: .email,
            destination: "buyer@example.cn",
            locale: "zh-CN",
            subject: rendered.subject,
            text: rendered.text
        )
        let report = await channel(sink, clock: TestClock()).send(notification)
        #expect(report.accepted, "\(report.error)")
        #expect(report.statusCode == 250)
        #expect(report.reply.contains("stored as 1"))

        let stored = try #require(try sink.messages().first)
        #expect(stored.mail_from == "refunds@refundmesh.test")
        #expect(stored.rcpt_tos == ["buyer@example.cn"])
        #expect(stored.subject == rendered.subject)
        #expect(stored.subject.contains("退款已批准"))
        #expect(stored.raw_headers.contains("Subject: =?UTF-8?B?"), "the subject travels RFC 2047-encoded")
        #expect(stored.raw_headers.allSatisfy { $0.isASCII }, "headers are 7-bit")
        #expect(stored.message_id == "<rf-9=3Aapproved@refundmesh.test>", "derived from the event id")
        #expect(stored.event_id == "rf-9:approved")
        #expect(stored.content_type == "text/plain" && stored.charset?.lowercased() == "utf-8")
        #expect(stored.transfer_encoding == "quoted-printable")
        #expect(stored.body.replacingOccurrences(of: "\r\n", with: "\n") == rendered.text + "\n")
        #expect(stored.body.contains("¥123.45") && stored.body.contains("R-R1") && stored.body.contains("卡密未激活"))
        #expect(try sink.raw(1).split(separator: "\r\n").allSatisfy { $0.utf8.count <= 78 }, "lines within 78")
    }

    @Test("lines starting with a dot survive the DATA dot-stuffing")
    func dotStuffing() async throws {
        let sink = try await SMTPSink()
        defer { sink.stop() }
        let text = ".\n.hidden\n..two dots\nend ."
        let report = await channel(sink, clock: TestClock()).send(
            OutgoingNotification(
                deliveryID: "d/email",
                eventID: "dots",
                userID: "u-1",
                channel: .email,
                destination: "a@example.com",
                locale: "en",
                subject: "Dots",
                text: text
            )
        )
        #expect(report.accepted, "\(report.error)")
        let stored = try #require(try sink.messages().first)
        #expect(stored.body.replacingOccurrences(of: "\r\n", with: "\n") == text + "\n")
        #expect(SMTPMessage.dotStuffed(".a\r\nb\n.\n") == "..a\r\nb\r\n..\r\n.\r\n")
    }

    @Test("a 451 is retried, then the accepted message is never sent again (R-N3)", arguments: TestBackend.all)
    func temporaryFailureThenOnce(_ backend: TestBackend) async throws {
        let sink = try await SMTPSink(arguments: ["--fail-first", "1"])
        defer { sink.stop() }
        try await withNotificationFixture(backend) { fixture in
            _ = try await fixture.client.setPreferences(
                ChannelPreferences(userID: "u-1", emailEnabled: true, email: "buyer@example.cn")
            )
            _ = try await fixture.client.publish(refundEvent("e-mail-1", kind: .moneyArrived))
            let worker = fixture.worker([channel(sink, clock: fixture.clock)])
            #expect(try await worker.runRound() == 1)
            var delivery = try #require(try await fixture.delivery("e-mail-1/email"))
            #expect(delivery.state == .due)
            #expect(delivery.log.first?.statusCode == 451)
            #expect(delivery.log.first?.outcome == .retry)
            #expect(try sink.messages().isEmpty)
            for _ in 0..<4 {
                fixture.clock.advance(by: 30_000)
                try await worker.runRound()
            }
            delivery = try #require(try await fixture.delivery("e-mail-1/email"))
            #expect(delivery.state == .delivered)
            #expect(delivery.log.map(\.statusCode) == [451, 250])
            let messages = try sink.messages()
            #expect(messages.count == 1, "accepted once, never sent again")
            #expect(sink.attempts() == ["<e-mail-1@refundmesh.test>", "<e-mail-1@refundmesh.test>"])
            #expect(messages.first?.subject == "【RefundMesh】退款已到账（rf-e-mail-1）")
        }
    }

    @Test("a 550 is a dead letter at once, with the server's reply in the log", arguments: TestBackend.all)
    func permanentFailure(_ backend: TestBackend) async throws {
        let sink = try await SMTPSink(arguments: ["--reject"])
        defer { sink.stop() }
        try await withNotificationFixture(backend) { fixture in
            _ = try await fixture.client.setPreferences(
                ChannelPreferences(userID: "u-1", emailEnabled: true, email: "buyer@example.cn")
            )
            _ = try await fixture.client.publish(refundEvent("e-mail-2"))
            #expect(try await fixture.worker([channel(sink, clock: fixture.clock)]).runRound() == 1)
            let delivery = try #require(try await fixture.delivery("e-mail-2/email"))
            #expect(delivery.state == .dead)
            #expect(delivery.log.first?.statusCode == 550)
            #expect(delivery.log.first?.reply.contains("refused by the test") == true)
        }
    }

    @Test("a server that never answers times out instead of hanging")
    func timeout() async throws {
        // An HTTP server waits for a request, so it never sends SMTP's greeting.
        let silent: @Sendable (HTTPReceiver.Request, Int) -> HTTPReceiver.Reply = { _, _ in .init(status: 200) }
        try await withHTTPReceiver(respond: silent) { _, port in
            let client = SMTPClient(host: "127.0.0.1", port: port, helo: "notify.test", timeout: .milliseconds(300))
            let error = await #expect(throws: SMTPError.self) {
                _ = try await client.send(from: "a@example.com", to: ["b@example.com"], data: "Subject: x\r\n\r\nx\r\n")
            }
            #expect(error?.code == .timeout)
        }
    }

    @Test("encodings: long UTF-8 subjects split into encoded words; quoted-printable keeps lines short")
    func encodings() {
        let subject = String(repeating: "退款已到账", count: 10)
        let encoded = SMTPMessage.encodedWords(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") && $0.count <= 75 })
        let decoded = words.map { word -> String in
            let base64 = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            return String(decoding: Data(base64Encoded: String(base64)) ?? Data(), as: UTF8.self)
        }.joined()
        #expect(decoded == subject, "no character is split across words")
        #expect(SMTPMessage.encodedWords("Refund approved") == "Refund approved")
        let qp = SMTPMessage.quotedPrintable(String(repeating: "金额=¥1 ", count: 20))
        #expect(qp.split(separator: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(qp.contains("=3D"), "= itself is encoded")
        #expect(!qp.hasSuffix(" "), "a trailing space is encoded")
        #expect(SMTPMessage.messageID(eventID: "rf-1:money-sent", domain: "x.cn") == "<rf-1=3Amoney-sent@x.cn>")
    }
}
