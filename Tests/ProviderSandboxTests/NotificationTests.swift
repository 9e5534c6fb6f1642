import Foundation
import NIOHTTP1
import RefundMeshProviders
import Testing

@testable import ProviderSandbox

/// Notifications to the merchant's notify URL (R-C9): delivered, retried, duplicated, stale
/// after final, and before the answer.
@Suite struct NotificationTests {
    @Test("a settled refund is notified once; a failing endpoint is retried until it answers 2xx")
    func deliveredWithRetries() async throws {
        let receiver = NotificationReceiver(failing: 2)
        try await receiver.run { url in
            try await SandboxHarness.with { harness in
                _ = try await harness.sandbox.desk.submit(
                    RefundDeskTests.wechat("R-n", trade: "T-n", amount: 100, notify: url)
                )
                try await SandboxHarness.until("notified") { receiver.received.count == 1 }
                #expect(receiver.attempts == 3)
                try await SandboxHarness.until("counted") {
                    try await harness.store.refund(provider: .wechat, refundNo: "R-n")?.notificationsSent == 1
                }
                try await SandboxHarness.until("no longer pending") {
                    let (_, pending) = try await harness.send(.GET, "/sandbox/v1/notifications")
                    return String(decoding: pending, as: UTF8.self) == #"{"pending":[]}"#
                }
                let stats = try await harness.store.stats()
                #expect(stats.counters["notifications_sent"] == 1)
                #expect(stats.counters["notification_attempts_failed"] == 2)
            }
        }
    }

    @Test("a notification that keeps failing is listed with its attempts, then given up after the maximum")
    func givenUp() async throws {
        let receiver = NotificationReceiver(failing: 1_000)
        try await receiver.run { url in
            // Pauses of 0.5-1 s: the failed notification stays listed for about 2.5 s, long
            // enough for the listing to be read on a loaded machine (with the harness's 50-200 ms
            // pauses it was sometimes given up before the first read).
            let tweak = Tweak {
                $0.notifications.maximumAttempts = 4
                $0.notifications.retryInitial = .milliseconds(500)
                $0.notifications.retryMaximum = .seconds(1)
            }
            try await SandboxHarness.with(tweak) { harness in
                _ = try await harness.sandbox.desk.submit(
                    RefundDeskTests.wechat("R-g", trade: "T-g", amount: 1, notify: url)
                )
                try await SandboxHarness.until("listed with attempts") {
                    let (_, body) = try await harness.send(.GET, "/sandbox/v1/notifications")
                    let text = String(decoding: body, as: UTF8.self)
                    return ["1", "2", "3"].contains { text.contains(#""attempts":\#($0)"#) }
                }
                try await SandboxHarness.until("given up") {
                    try await harness.store.stats().counters["notifications_abandoned"] == 1
                }
                // The relay marks the given-up notification done right after the counter moves.
                try await SandboxHarness.until("no longer pending") {
                    let (_, body) = try await harness.send(.GET, "/sandbox/v1/notifications")
                    return String(decoding: body, as: UTF8.self) == #"{"pending":[]}"#
                }
                #expect(receiver.attempts == 4)
            }
        }
    }

    @Test("scripted duplicates and a stale notice after the final one, in that order")
    func duplicatesAndOutOfOrder() async throws {
        let receiver = NotificationReceiver()
        try await receiver.run { url in
            try await SandboxHarness.with { harness in
                try await harness.addRule(
                    #"{"provider":"wechat","behaviour":{"duplicate_notifications":2,"out_of_order":true}}"#
                )
                _ = try await harness.sandbox.desk.submit(
                    RefundDeskTests.wechat("R-d", trade: "T-d", amount: 100, notify: url)
                )
                try await SandboxHarness.until("four notices") { receiver.received.count == 4 }
                let states = try receiver.received.map { try NotificationTests.state(of: $0, harness.weChatPay()) }
                #expect(states == ["SUCCESS", "SUCCESS", "SUCCESS", "PROCESSING"])
                let refund = try #require(try await harness.store.refund(provider: .wechat, refundNo: "R-d"))
                #expect(refund.moneyMoved == 1)
            }
        }
    }

    @Test("notify_before_answer: the notification arrives before the request is answered")
    func notifyBeforeAnswer() async throws {
        let receiver = NotificationReceiver()
        try await receiver.run { url in
            try await SandboxHarness.with { harness in
                try await harness.addRule(#"{"provider":"wechat","behaviour":{"notify_before_answer":true}}"#)
                let answer = try await harness.sandbox.desk.submit(
                    RefundDeskTests.wechat("R-b", trade: "T-b", amount: 100, notify: url)
                )
                // Checked right after the answer, with no waiting: it must already be there.
                #expect(receiver.received.count == 1)
                guard case .refund(let refund, isNew: true) = answer else { throw HarnessError("not accepted") }
                #expect(refund.state == .success)
            }
        }
    }

    @Test("R-C8: a reversal is notified after the success notice")
    func reversalNotified() async throws {
        let receiver = NotificationReceiver()
        try await receiver.run { url in
            try await SandboxHarness.with { harness in
                try await harness.addRule(#"{"provider":"wechat","behaviour":{"reverse_after_ms":50}}"#)
                _ = try await harness.sandbox.desk.submit(
                    RefundDeskTests.wechat("R-v", trade: "T-v", amount: 100, notify: url)
                )
                try await SandboxHarness.until("two notices") { receiver.received.count == 2 }
                #expect(
                    try receiver.received.map { try NotificationTests.state(of: $0, harness.weChatPay()) } == [
                        "SUCCESS", "ABNORMAL",
                    ]
                )
            }
        }
    }

    /// Verifies the platform signature, decrypts the resource (RefundMeshProviders' client half)
    /// and returns the refund status it announces.
    static func state(of notice: NotificationReceiver.Received, _ client: WeChatPayClient) throws -> String {
        try client.parseNotification(headers: notice.headerList, body: Data(notice.body)).notice.refundStatus.rawValue
    }
}
