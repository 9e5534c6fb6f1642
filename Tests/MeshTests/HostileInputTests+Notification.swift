import Foundation
import RefundMeshAPI
import RefundMeshRPC

extension HostileInputTests {
    /// Seeds one event in u-1's inbox, then returns the attack on notification.
    static func notificationCases(_ notification: RefundMeshAPI.Notification.Client) async throws -> [HostileCase] {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let seeded = RefundEvent(
            eventID: "e-seed",
            userID: "u-1",
            refundID: "r-1",
            orderID: "o-1",
            kind: .received,
            amountFen: 10_000,
            atMs: now - 1_000,
            locale: "en"
        )
        _ = try await notification.publish(seeded)

        @Sendable func event(_ change: (inout RefundEvent) -> Void) -> RefundEvent {
            var event = seeded
            event.eventID = "e-hostile"
            change(&event)
            return event
        }

        return [
            // Publish: enums, times, amounts, texts, ids; the same event id with other content.
            HostileCase("event of unknown kind", .invalidArgument, "kind") {
                _ = try await notification.publish(event { $0.kind = RefundEvent.Kind(rawValue: 99) })
            },
            HostileCase("event from tomorrow", .invalidArgument, "in the future") {
                _ = try await notification.publish(event { $0.atMs = now + 86_400_000 })
            },
            HostileCase("negative amount", .invalidArgument, "amount_fen") {
                _ = try await notification.publish(event { $0.amountFen = -10_000 })
            },
            HostileCase("fee of Int64.max", .invalidArgument, "fee_fen") {
                _ = try await notification.publish(event { $0.feeFen = .max })
            },
            HostileCase("reason of 4001 characters", .invalidArgument, "reason") {
                _ = try await notification.publish(event { $0.reason = String(repeating: "r", count: 4_001) })
            },
            HostileCase("reason with terminal escapes", .invalidArgument, "reason") {
                _ = try await notification.publish(event { $0.reason = "ok\u{1B}]0;owned\u{7}" })
            },
            HostileCase("event id of 129 bytes", .invalidArgument, "event_id") {
                _ = try await notification.publish(event { $0.eventID = String(repeating: "e", count: 129) })
            },
            HostileCase("user id with a space", .invalidArgument, "user_id") {
                _ = try await notification.publish(event { $0.userID = "u 1" })
            },
            HostileCase("unknown materials", .invalidArgument, "materials") {
                _ = try await notification.publish(event { $0.materials = [MaterialKind(rawValue: 9)] })
            },
            HostileCase("locale with a shell command", .invalidArgument, "locale") {
                _ = try await notification.publish(event { $0.locale = "en; rm -rf /" })
            },
            HostileCase("arrival after the year 9999", .invalidArgument, "expected_arrival_ms") {
                _ = try await notification.publish(event { $0.expectedArrivalMs = .max })
            },
            HostileCase("event id reused with another amount", .alreadyExists, "amount_fen") {
                var reused = seeded
                reused.amountFen = 1
                _ = try await notification.publish(reused)
            },

            // The inbox and preferences.
            HostileCase("501 item ids", .invalidArgument, "item_ids") {
                _ = try await notification.markRead(
                    MarkReadRequest(userID: "u-1", itemIds: (0...500).map { "n-\($0)" })
                )
            },
            HostileCase("item id with a control character", .invalidArgument, "item_ids") {
                _ = try await notification.markRead(MarkReadRequest(userID: "u-1", itemIds: ["n-\u{1}"]))
            },
            // A signed-in user (a token for u-1) naming a malformed user: refused before any handler.
            HostileCase("inbox of a 129-byte user id", .permissionDenied, "may act only") {
                _ = try await notification.listInbox(
                    ListInboxRequest(userID: String(repeating: "u", count: 129)),
                    options: HostileInputTests.signedIn("u-1")
                )
            },
            HostileCase("preferences of no user", .permissionDenied, "may act only") {
                _ = try await notification.setPreferences(
                    ChannelPreferences(smsEnabled: true, phone: "13812345678"),
                    options: HostileInputTests.signedIn("u-1")
                )
            },
            HostileCase("preferences of a user id with a slash and quotes", .invalidArgument, "user_id") {
                _ = try await notification.setPreferences(ChannelPreferences(userID: "u-1\"<script>"))
            },
            HostileCase("a phone number of 100k characters", .invalidArgument, "phone") {
                _ = try await notification.setPreferences(
                    ChannelPreferences(userID: "u-1", smsEnabled: true, phone: String(repeating: "1", count: 100_000))
                )
            },
            HostileCase("preferences of a user id with a control character", .permissionDenied, "may act only") {
                _ = try await notification.getPreferences(
                    GetPreferencesRequest(userID: "u-\u{3}"),
                    options: HostileInputTests.signedIn("u-1")
                )
            },
            HostileCase("deliveries of nobody", .invalidArgument, "user_id") {
                _ = try await notification.listDeliveries(ListDeliveriesRequest())
            },
            HostileCase("retry of a forged dead letter", .notFound, "d-forged") {
                _ = try await notification.retryDeadLetter(
                    RetryDeadLetterRequest(deliveryID: "d-forged/sms", operatorID: "op-1")
                )
            },
        ]
    }
}
