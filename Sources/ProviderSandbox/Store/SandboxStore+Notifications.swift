import Foundation
import GRDB
import RefundMeshStore

/// One notification waiting in the outbox: which refund, which state it announces, and
/// whether it is a stale one sent on purpose after a later one (R-C9).
struct NotificationOrder: Codable, Sendable, Equatable {
    var provider: ProviderKind
    var refundNo: String
    /// The state the notification announces.
    var state: RefundState
    var notifyURL: String
    /// A scripted out-of-order notice, sent after the final one.
    var stale: Bool

    enum CodingKeys: String, CodingKey {
        case provider
        case refundNo = "refund_no"
        case state
        case notifyURL = "notify_url"
        case stale
    }
}

extension SandboxStore {
    /// The outbox destination of a refund's notifications: one lane per refund, so a refund's
    /// notifications go out in order and one merchant's dead endpoint holds up only its own.
    static func notificationDestination(_ provider: ProviderKind, _ refundNo: String) -> String {
        "notify/\(provider.rawValue)/\(refundNo)"
    }

    /// Enqueues the notifications of a state change in the caller's transaction: the notice,
    /// its scripted duplicates and, when scripted, a stale notice after it (R-C9). Nothing when
    /// the request carried no notify URL.
    static func enqueueNotifications(
        _ db: Database,
        _ refund: ProviderRefund,
        state: RefundState,
        stale: RefundState,
        now: Int64
    ) throws -> [String] {
        guard let url = refund.notifyURL, !url.isEmpty else { return [] }
        let destination = notificationDestination(refund.provider, refund.refundNo)
        let base = "\(refund.provider.rawValue):\(refund.refundNo):\(state.rawValue)"
        var orders: [(String, NotificationOrder)] = (0...max(0, refund.duplicateNotifications)).map { copy in
            (
                "\(base):\(copy)",
                NotificationOrder(
                    provider: refund.provider,
                    refundNo: refund.refundNo,
                    state: state,
                    notifyURL: url,
                    stale: false
                )
            )
        }
        if refund.outOfOrder {
            orders.append(
                (
                    "\(base):stale",
                    NotificationOrder(
                        provider: refund.provider,
                        refundNo: refund.refundNo,
                        state: stale,
                        notifyURL: url,
                        stale: true
                    )
                )
            )
        }
        let encoder = JSONEncoder()
        var ids: [String] = []
        for (eventID, order) in orders {
            let added = try Outbox.enqueue(
                db,
                eventID: eventID,
                destination: destination,
                kind: order.state.rawValue,
                payload: [UInt8](try encoder.encode(order)),
                now: Date(timeIntervalSince1970: Double(now) / 1000)
            )
            if added { ids.append(eventID) }
        }
        return ids
    }

    /// Records a delivered notification against its refund.
    func recordDelivered(_ order: NotificationOrder) async throws {
        try await store.writeIgnoringCancellation { db in
            try db.execute(
                sql:
                    "UPDATE refunds SET notifications_sent = notifications_sent + 1 WHERE provider = ? AND refund_no = ?",
                arguments: [order.provider.rawValue, order.refundNo]
            )
            try Counter.notificationsSent.add(in: db)
        }
    }

    /// Whether every one of `eventIDs` has been delivered (or given up on).
    func delivered(_ eventIDs: [String]) async throws -> Bool {
        try await store.read { db in
            try eventIDs.allSatisfy { id in try Outbox.message(db, eventID: id)?.deliveredAt != nil }
        }
    }

    /// Notifications still waiting, with their attempts so far.
    public func pendingNotifications() async throws -> [OutboxMessage] {
        try await store.read { db in try Outbox.pending(db, limit: 1000) }
    }
}
