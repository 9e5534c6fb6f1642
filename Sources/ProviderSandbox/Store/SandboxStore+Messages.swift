import GRDB
import RefundMeshProviders

/// An SMS the sandbox accepted (R-N2), listed by `GET /sandbox/v1/sms`.
public struct SMSMessage: Codable, Sendable, Equatable {
    public var messageID: String
    public var phone: String
    public var text: String
    public var signName: String
    public var receivedAtMs: Int64

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case phone, text
        case signName = "sign_name"
        case receivedAtMs = "received_at_ms"
    }
}

extension SMSMessage: FetchableRecord {
    public init(row: Row) throws {
        self.init(
            messageID: row["message_id"],
            phone: row["phone"],
            text: row["text"],
            signName: row["sign_name"],
            receivedAtMs: row["received_at_ms"]
        )
    }
}

/// What became of an SMS send.
enum SMSResult: Sendable, Equatable {
    case accepted
    /// The message id was already accepted: accepted once, answered `duplicate: true`.
    case duplicate
    /// Another message to the phone came less than the interval ago.
    case rateLimited
}

extension SandboxStore {
    /// Accepts an SMS once per message id, at most one per phone per `interval`.
    func accept(_ message: SMSMessage, account: String, interval: Duration) async throws -> SMSResult {
        try await store.write { db in
            if try Int.fetchOne(
                db,
                sql: "SELECT 1 FROM sms_messages WHERE message_id = ?",
                arguments: [message.messageID]
            ) != nil {
                try Counter.smsDuplicates.add(in: db)
                return .duplicate
            }
            let last = try Int64.fetchOne(
                db,
                sql: "SELECT MAX(received_at_ms) FROM sms_messages WHERE phone = ?",
                arguments: [message.phone]
            )
            if let last, message.receivedAtMs - last < interval.milliseconds {
                try Counter.smsRateLimited.add(in: db)
                return .rateLimited
            }
            try db.execute(
                sql: """
                    INSERT INTO sms_messages (message_id, account, phone, text, sign_name, received_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    message.messageID, account, message.phone, message.text, message.signName, message.receivedAtMs,
                ]
            )
            try Counter.smsAccepted.add(in: db)
            return .accepted
        }
    }

    /// The messages delivered, optionally to one phone, oldest first.
    public func messages(phone: String?) async throws -> [SMSMessage] {
        try await store.read { db in
            try SMSMessage.fetchAll(
                db,
                sql: "SELECT * FROM sms_messages WHERE ?1 IS NULL OR phone = ?1 ORDER BY received_at_ms, rowid",
                arguments: [phone]
            )
        }
    }

    /// The statuses an operator answers (R-R2).
    public static let rechargeStatuses: [OperatorRechargeStatus] = [.credited, .failed, .pending, .unknown]

    /// Sets what the operator says about a recharge order.
    public func setRecharge(_ recharge: OperatorRecharge, now: Int64) async throws {
        try await store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO operator_recharges (order_id, status, credited_at_ms, updated_at_ms)
                    VALUES (?, ?, ?, ?)
                    ON CONFLICT (order_id) DO UPDATE SET status = excluded.status,
                        credited_at_ms = excluded.credited_at_ms, updated_at_ms = excluded.updated_at_ms
                    """,
                arguments: [recharge.orderID, recharge.status.rawValue, recharge.creditedAtMs, now]
            )
        }
    }

    /// What the operator says about a recharge order; nil for an order it never saw.
    public func recharge(orderID: String) async throws -> OperatorRecharge? {
        try await store.read { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT status, credited_at_ms FROM operator_recharges WHERE order_id = ?",
                arguments: [orderID]
            )
            guard let row else { return nil }
            let status: String = row["status"]
            return OperatorRecharge(
                orderID: orderID,
                status: OperatorRechargeStatus(rawValue: status),
                creditedAtMs: row["credited_at_ms"]
            )
        }
    }
}
