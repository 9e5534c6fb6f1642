import Foundation
import NotificationService
import RefundMeshAPI
import RefundMeshRPC
import RefundMeshStoreTestSupport
import Testing

/// Channel preferences (R-N2): validated with messages a person can act on, stored per user,
/// the secret never read back.
@Suite("channel preferences")
struct PreferencesTests {
    @Test("phones: mainland numbers and E.164 are accepted and stored as E.164")
    func goodPhones() throws {
        #expect(try ContactValidation.phone("13812345678") == "+8613812345678")
        #expect(try ContactValidation.phone("138-1234-5678") == "+8613812345678")
        #expect(try ContactValidation.phone("+86 138 1234 5678") == "+8613812345678")
        #expect(try ContactValidation.phone("+4915112345678") == "+4915112345678")
    }

    @Test(
        "bad phones are refused naming the field, the value and the expected form",
        arguments: [
            "123", "12812345678", "1381234567a", "+86123", "+0123456789", "+8612812345678", "phone",
        ]
    )
    func badPhones(phone: String) {
        let error = #expect(throws: PreferencesError.self) { try ContactValidation.phone(phone) }
        #expect(error?.field == "phone")
        #expect(error?.message.contains("\"\(phone)\"") == true)
        #expect(error?.message.contains("13812345678") == true)
    }

    @Test(
        "e-mail addresses",
        arguments: [
            ("a@example.com", true), ("first.last+refunds@mail.example.cn", true), ("a@b", false),
            ("@example.com", false),
            ("a b@example.com", false), ("a@example.com\r\nBcc: x@y.z", false), ("用户@example.com", false),
            ("a..b@example.com", false), ("a@-example.com", false),
        ]
    )
    func emails(address: String, valid: Bool) {
        #expect(ContactValidation.isEmailAddress(address) == valid)
        if !valid {
            let error = #expect(throws: PreferencesError.self) { try ContactValidation.email(address) }
            #expect(error?.field == "email")
            #expect(error?.message.contains("name@example.com") == true)
        }
    }

    @Test("webhook URLs: https anywhere, http only to loopback unless allowed")
    func urls() throws {
        #expect(
            try ContactValidation.webhookURL("https://example.com/hook", allowsHTTP: false)
                == "https://example.com/hook"
        )
        #expect(
            try ContactValidation.webhookURL("http://127.0.0.1:8080/x", allowsHTTP: false) == "http://127.0.0.1:8080/x"
        )
        #expect(try ContactValidation.webhookURL("http://[::1]:80/x", allowsHTTP: false) == "http://[::1]:80/x")
        #expect(
            try ContactValidation.webhookURL("http://hooks.internal/x", allowsHTTP: true) == "http://hooks.internal/x"
        )
        for (bad, hint) in [
            ("http://example.com/hook", "https://"), ("ftp://example.com", "https://"), ("example.com", "https://"),
            ("https://user:pw@example.com/", "user:password"), ("https://example.com:99999/", "port"),
            ("https://exa mple.com/", "ASCII"), ("https:///path", "host"),
        ] {
            let error = #expect(throws: PreferencesError.self) {
                try ContactValidation.webhookURL(bad, allowsHTTP: false)
            }
            #expect(error?.field == "webhook_url")
            #expect(error?.message.contains(hint) == true, "\(bad): \(error?.message ?? "")")
        }
    }

    @Test(
        "over TCP: an enabled channel needs its address, bad input is INVALID_ARGUMENT naming the field",
        arguments: TestBackend.all
    )
    func rpcValidation(_ backend: TestBackend) async throws {
        try await withNotificationFixture(backend) { fixture in
            let cases: [(ChannelPreferences, String)] = [
                (ChannelPreferences(userID: "u-1", smsEnabled: true), "phone"),
                (ChannelPreferences(userID: "u-1", smsEnabled: true, phone: "555"), "phone \"555\""),
                (ChannelPreferences(userID: "u-1", emailEnabled: true, email: "nobody"), "email \"nobody\""),
                (
                    ChannelPreferences(userID: "u-1", webhookEnabled: true, webhookURL: "https://example.com"),
                    "webhook_secret"
                ),
                (
                    ChannelPreferences(
                        userID: "u-1",
                        webhookEnabled: true,
                        webhookURL: "https://example.com",
                        webhookSecret: "short"
                    ), "16 to 256"
                ),
                (ChannelPreferences(userID: "u-1", locale: "fr"), "zh-CN"),
                (ChannelPreferences(smsEnabled: false), "user_id"),
            ]
            for (request, hint) in cases {
                let error = await #expect(throws: RPCError.self) {
                    _ = try await fixture.client.setPreferences(request)
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.contains(hint) == true, "\(hint): \(error?.message ?? "")")
            }
            let none = try await fixture.client.getPreferences(GetPreferencesRequest(userID: "u-1"))
            #expect(!none.smsEnabled && !none.emailEnabled && !none.webhookEnabled, "nothing was stored")
        }
    }

    @Test(
        "stored per user; the secret is never returned and an empty one keeps it; deliveries follow the choice",
        arguments: TestBackend.all
    )
    func storeAndFollow(_ backend: TestBackend) async throws {
        try await withNotificationFixture(backend) { fixture in
            let stored = try await fixture.client.setPreferences(
                ChannelPreferences(
                    userID: "u-1",
                    smsEnabled: true,
                    emailEnabled: true,
                    webhookEnabled: true,
                    phone: "13812345678",
                    email: " buyer@example.cn ",
                    webhookURL: "https://example.com/hook",
                    webhookSecret: webhookSecret,
                    locale: "en"
                )
            )
            #expect(stored.phone == "+8613812345678" && stored.email == "buyer@example.cn")
            #expect(stored.webhookSecret.isEmpty && stored.webhookSecretSet)
            #expect(stored.updatedAtMs == fixture.clock.now)
            _ = try await fixture.client.publish(refundEvent("p-1"))
            var deliveries = try await fixture.client.listDeliveries(ListDeliveriesRequest(eventID: "p-1")).deliveries
            #expect(Set(deliveries.map(\.channel)) == [.sms, .email, .webhook])
            #expect(deliveries.allSatisfy { $0.state == .due && $0.kind == .approved })
            let inbox = try await fixture.client.listInbox(ListInboxRequest(userID: "u-1"))
            #expect(inbox.items.first?.locale == "en", "the preferred language wins over the event's")

            // Turn SMS off without resending the secret: the webhook keeps its secret.
            var change = try await fixture.client.getPreferences(GetPreferencesRequest(userID: "u-1"))
            #expect(change.webhookSecret.isEmpty && change.webhookSecretSet)
            change.smsEnabled = false
            let after = try await fixture.client.setPreferences(change)
            #expect(after.webhookSecretSet && !after.smsEnabled)
            _ = try await fixture.client.publish(refundEvent("p-2"))
            deliveries = try await fixture.client.listDeliveries(ListDeliveriesRequest(eventID: "p-2")).deliveries
            #expect(Set(deliveries.map(\.channel)) == [.email, .webhook])

            let other = try await fixture.client.getPreferences(GetPreferencesRequest(userID: "u-2"))
            #expect(!other.smsEnabled && other.phone.isEmpty, "another user has the defaults")
            _ = try await fixture.client.publish(refundEvent("p-3", user: "u-2"))
            #expect(try await fixture.client.listDeliveries(ListDeliveriesRequest(userID: "u-2")).deliveries.isEmpty)
            #expect(
                try await fixture.client.listInbox(ListInboxRequest(userID: "u-2")).items.count == 1,
                "inbox always"
            )

            let unnamed = await #expect(throws: RPCError.self) {
                _ = try await fixture.client.listDeliveries(ListDeliveriesRequest())
            }
            #expect(unnamed?.code == .invalidArgument)
        }
    }
}
