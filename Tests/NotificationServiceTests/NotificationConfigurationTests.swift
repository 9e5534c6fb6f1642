import NotificationService
import Testing

@Suite("notification settings")
struct NotificationConfigurationTests {
    @Test("NOTIFY_ variables override the defaults")
    func reads() throws {
        let configuration = try NotificationConfiguration(environment: [
            "NOTIFY_RETRY_INITIAL_MS": "100", "NOTIFY_RETRY_MAX_MS": "2000", "NOTIFY_RETRY_MULTIPLIER": "3",
            "NOTIFY_RETRY_JITTER": "0", "NOTIFY_RETRY_ATTEMPTS": "4", "NOTIFY_SMTP_HOST": "mail.local",
            "NOTIFY_SMTP_PORT": "2525", "NOTIFY_SMTP_FROM": "a@example.com",
            "NOTIFY_SMS_BASE_URL": "http://127.0.0.1:7010",
            "NOTIFY_SMS_ACCOUNT": "acct", "NOTIFY_SMS_SECRET_FILE": "/tmp/secret", "NOTIFY_WEBHOOK_TIMEOUT_MS": "1500",
        ])
        #expect(configuration.backoff.initial == .milliseconds(100) && configuration.backoff.multiplier == 3)
        #expect(configuration.maximumAttempts == 4)
        #expect(configuration.smtp.host == "mail.local" && configuration.smtp.port == 2525)
        #expect(configuration.sms.account == "acct" && configuration.webhook.timeout == .milliseconds(1500))
        let defaults = try NotificationConfiguration(environment: [:])
        #expect(defaults.smtp.host.isEmpty && defaults.sms.baseURL.isEmpty && defaults.maximumAttempts == 10)
    }

    @Test(
        "a malformed value names its variable",
        arguments: [
            ("NOTIFY_RETRY_ATTEMPTS", "zero"), ("NOTIFY_SMTP_PORT", "70000"), ("NOTIFY_SMTP_FROM", "nobody"),
            ("NOTIFY_RETRY_JITTER", "2"), ("NOTIFY_SMS_BASE_URL", "ftp://x"),
        ]
    )
    func malformed(variable: String, value: String) {
        let error = #expect(throws: NotificationConfigurationError.self) {
            _ = try NotificationConfiguration(environment: [variable: value])
        }
        #expect(error?.variable == variable)
    }

    @Test("SMS needs its account and secret file")
    func smsNeedsCredentials() {
        let error = #expect(throws: NotificationConfigurationError.self) {
            _ = try NotificationConfiguration(environment: ["NOTIFY_SMS_BASE_URL": "http://127.0.0.1:7010"])
        }
        #expect(error?.variable == "NOTIFY_SMS_ACCOUNT")
        let fromFiles = try? NotificationConfiguration(environment: [
            "NOTIFY_SMS_BASE_URL": "http://127.0.0.1:7010", "NOTIFY_SMS_ACCOUNT_FILE": "/keys/sms-account.txt",
            "NOTIFY_SMS_SECRET_FILE": "/keys/sms-secret.key",
        ])
        #expect(fromFiles?.sms.accountFile == "/keys/sms-account.txt", "the account may come from a file")
    }
}
