import GRDB
import RefundMeshAPI
import RefundMeshStore

/// Deliveries to the outside channels and their attempt logs, in notification's store (R-N3).
///
/// A published event gets one delivery per channel the user enabled, written in the transaction
/// that puts the event in the inbox (``NotificationHandler/publish(_:context:)``), so an event in
/// the inbox is never without its deliveries and a redelivered event adds none. A delivery is
/// `due` until a channel accepts it (`delivered`) or its last attempt fails (`dead`: a dead
/// letter, which an operator can put back to `due`).
public struct DeliveryStore: Sendable {
    public let store: any ServiceDatabase

    public init(store: any ServiceDatabase) {
        self.store = store
    }

    static let migration = StoreMigration("notification.3.deliveries") { db in
        try db.execute(
            sql: """
                CREATE TABLE deliveries (
                    delivery_id TEXT PRIMARY KEY NOT NULL,
                    event_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    refund_id TEXT NOT NULL,
                    kind INTEGER NOT NULL,
                    channel INTEGER NOT NULL,
                    destination TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    locale TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    text TEXT NOT NULL,
                    json TEXT NOT NULL,
                    state INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    round_attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at_ms INTEGER NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    delivered_at_ms INTEGER,
                    dead_at_ms INTEGER,
                    last_error TEXT NOT NULL DEFAULT '',
                    retried_by TEXT NOT NULL DEFAULT '',
                    retried_at_ms INTEGER
                );
                CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at_ms);
                CREATE INDEX deliveries_by_user ON deliveries (user_id, created_at_ms DESC);
                CREATE INDEX deliveries_by_event ON deliveries (event_id);
                CREATE INDEX deliveries_dead ON deliveries (state, dead_at_ms DESC);
                CREATE TABLE delivery_attempts (
                    delivery_id TEXT NOT NULL REFERENCES deliveries (delivery_id),
                    attempt INTEGER NOT NULL,
                    at_ms INTEGER NOT NULL,
                    outcome INTEGER NOT NULL,
                    status_code INTEGER NOT NULL,
                    reply TEXT NOT NULL,
                    error TEXT NOT NULL,
                    PRIMARY KEY (delivery_id, attempt)
                );
                """
        )
    }

    /// How patiently deliveries are retried.
    public struct Policy: Sendable {
        public var backoff: OutboxRelay.Backoff
        /// Attempts before a delivery becomes a dead letter (counted again from 0 after an
        /// operator's retry).
        public var maximumAttempts: Int

        public init(backoff: OutboxRelay.Backoff, maximumAttempts: Int) {
            self.backoff = backoff
            self.maximumAttempts = max(1, maximumAttempts)
        }
    }

    /// The delivery id of an event on a channel: `<event id>/<channel>`, e.g. `r-1:approved/sms`.
    public static func deliveryID(eventID: String, channel: Delivery.Channel) -> String {
        eventID + "/" + channelName(channel)
    }

    /// "sms", "email", "webhook".
    public static func channelName(_ channel: Delivery.Channel) -> String {
        switch channel {
        case .sms: "sms"
        case .email: "email"
        case .webhook: "webhook"
        case .unspecified, .unrecognized: "channel-\(channel.rawValue)"
        }
    }

    /// The channels `preferences` enables, each with its destination (and the webhook's secret).
    static func targets(_ preferences: ChannelPreferences?) -> [(Delivery.Channel, String, String)] {
        guard let preferences else { return [] }
        var targets: [(Delivery.Channel, String, String)] = []
        if preferences.smsEnabled, !preferences.phone.isEmpty { targets.append((.sms, preferences.phone, "")) }
        if preferences.emailEnabled, !preferences.email.isEmpty { targets.append((.email, preferences.email, "")) }
        if preferences.webhookEnabled, !preferences.webhookURL.isEmpty {
            targets.append((.webhook, preferences.webhookURL, preferences.webhookSecret))
        }
        return targets
    }

    /// Adds one due delivery per channel `preferences` enables, rendered now (inside the
    /// caller's transaction). Returns how many.
    static func enqueue(
        _ db: some SQLSession,
        event: RefundEvent,
        preferences: ChannelPreferences?,
        language: NotificationTemplates.Language,
        templates: NotificationTemplates,
        at nowMs: Int64
    ) throws -> Int {
        var added = 0
        for (channel, destination, secret) in targets(preferences) {
            let rendered = templates.render(event, for: channel, in: language)
            added += try db.run(
                """
                INSERT INTO deliveries
                    (delivery_id, event_id, user_id, refund_id, kind, channel, destination, secret, locale,
                     subject, text, json, state, next_attempt_at_ms, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (delivery_id) DO NOTHING
                """,
                [
                    deliveryID(eventID: event.eventID, channel: channel), event.eventID, event.userID,
                    event.refundID, Int(event.kind.rawValue), Int(channel.rawValue), destination, secret,
                    language.rawValue, rendered.subject, rendered.text, rendered.json,
                    Int(Delivery.State.due.rawValue), nowMs, nowMs,
                ]
            )
        }
        return added
    }

    /// How long a replica's claim on a due delivery holds on a shared PostgreSQL store: longer
    /// than any channel's timeout, so the delivery is recorded before another replica may send it.
    public static let claimLease: Int64 = 120_000

    /// Due deliveries whose time has come, earliest first.
    ///
    /// On SQLite one worker owns the file and simply reads them. On PostgreSQL the replicas'
    /// workers share the table: each claims what it returns (`FOR UPDATE SKIP LOCKED`, then moves
    /// its next attempt ``claimLease`` ahead), so no two replicas send the same delivery; the
    /// attempt's record sets the real next attempt, and a replica that dies leaves its claims
    /// to run out.
    public func due(at nowMs: Int64, limit: Int) async throws -> [OutgoingNotification] {
        let due = Int(Delivery.State.due.rawValue)
        let rows =
            store.dialect == .sqlite
            ? try await store.read { db in
                try db.rows(
                    """
                    SELECT * FROM deliveries WHERE state = ? AND next_attempt_at_ms <= ?
                    ORDER BY next_attempt_at_ms, delivery_id LIMIT ?
                    """,
                    [due, nowMs, limit]
                )
            }
            : try await store.write { db in
                try db.rows(
                    """
                    UPDATE deliveries SET next_attempt_at_ms = ?
                    WHERE delivery_id IN (
                        SELECT delivery_id FROM deliveries WHERE state = ? AND next_attempt_at_ms <= ?
                        ORDER BY next_attempt_at_ms, delivery_id LIMIT ?
                        FOR UPDATE SKIP LOCKED
                    )
                    RETURNING *
                    """,
                    [nowMs + Self.claimLease, due, nowMs, limit]
                )
            }
        return try rows.map { row in
            OutgoingNotification(
                deliveryID: try row["delivery_id"],
                eventID: try row["event_id"],
                userID: try row["user_id"],
                channel: Delivery.Channel(rawValue: Int32(truncatingIfNeeded: try row["channel"] as Int)),
                destination: try row["destination"],
                secret: try row["secret"],
                locale: try row["locale"],
                subject: try row["subject"],
                text: try row["text"],
                json: try row["json"],
                attempt: (try row["attempts"] as Int) + 1
            )
        }
    }

    /// Records one attempt's report and moves the delivery on, in one transaction: delivered,
    /// due again after the backoff, or dead after its last attempt or a permanent failure.
    /// - Parameter random: picks the jitter (tests pass a fixed one).
    /// - Returns: The delivery's state now; nil when it was not due (an operator changed it).
    @discardableResult
    public func record(
        _ report: DeliveryReport,
        for deliveryID: String,
        at nowMs: Int64,
        policy: Policy,
        random: Double = Double.random(in: 0...1)
    ) async throws -> Delivery.State? {
        try await store.write { db in
            guard
                let row = try db.row(
                    "SELECT attempts, round_attempts FROM deliveries WHERE delivery_id = ? AND state = ?",
                    [deliveryID, Int(Delivery.State.due.rawValue)]
                )
            else { return nil }
            let attempt = (try row["attempts"] as Int) + 1
            let roundAttempts = (try row["round_attempts"] as Int) + 1
            let state: Delivery.State
            let outcome: DeliveryAttempt.Outcome
            var nextAttemptAtMs = nowMs
            if report.accepted {
                (state, outcome) = (.delivered, .delivered)
            } else if report.permanent || roundAttempts >= policy.maximumAttempts {
                (state, outcome) = (.dead, .dead)
            } else {
                (state, outcome) = (.due, .retry)
                var wait = policy.backoff.delay(afterAttempts: roundAttempts, random: random)
                if let asked = report.retryAfter, asked > wait { wait = asked }
                nextAttemptAtMs = nowMs + wait.milliseconds
            }
            try db.run(
                """
                UPDATE deliveries SET state = ?, attempts = ?, round_attempts = ?, next_attempt_at_ms = ?,
                    delivered_at_ms = CASE WHEN ? = 1 THEN ? ELSE delivered_at_ms END,
                    dead_at_ms = CASE WHEN ? = 1 THEN ? ELSE dead_at_ms END,
                    last_error = ?
                WHERE delivery_id = ?
                """,
                [
                    Int(state.rawValue), attempt, roundAttempts, nextAttemptAtMs, state == .delivered, nowMs,
                    state == .dead, nowMs, report.accepted ? "" : report.error, deliveryID,
                ]
            )
            try db.run(
                """
                INSERT INTO delivery_attempts (delivery_id, attempt, at_ms, outcome, status_code, reply, error)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    deliveryID, attempt, nowMs, Int(outcome.rawValue), Int(report.statusCode), report.reply,
                    report.error,
                ]
            )
            return state
        }
    }

    /// Deliveries of a user or of an event (whichever is given), newest first, with their logs.
    public func list(userID: String, eventID: String, limit: Int) async throws -> [Delivery] {
        try await store.read { db in
            let rows =
                eventID.isEmpty
                ? try db.rows(
                    "SELECT * FROM deliveries WHERE user_id = ? ORDER BY created_at_ms DESC, delivery_id LIMIT ?",
                    [userID, limit]
                )
                : try db.rows(
                    "SELECT * FROM deliveries WHERE event_id = ? ORDER BY created_at_ms DESC, delivery_id LIMIT ?",
                    [eventID, limit]
                )
            return try rows.map { try Self.delivery(from: $0, in: db) }
        }
    }

    /// The dead letters, most recent first.
    public func deadLetters(limit: Int) async throws -> [Delivery] {
        try await store.read { db in
            try db.rows(
                "SELECT * FROM deliveries WHERE state = ? ORDER BY dead_at_ms DESC, delivery_id LIMIT ?",
                [Int(Delivery.State.dead.rawValue), limit]
            ).map { try Self.delivery(from: $0, in: db) }
        }
    }

    /// Puts a dead letter back to due now, with a fresh set of attempts, recording the operator.
    /// - Throws: ``DeliveryStoreError`` when there is no such delivery or it is not dead.
    public func retryDeadLetter(_ deliveryID: String, operatorID: String, at nowMs: Int64) async throws -> Delivery {
        try await store.write { db in
            guard
                let row = try db.row("SELECT * FROM deliveries WHERE delivery_id = ?", [deliveryID])
            else {
                throw DeliveryStoreError(
                    code: .notFound,
                    message: "no delivery \"\(deliveryID)\"; ListDeadLetters shows the ids (<event id>/<channel>)"
                )
            }
            let state = Delivery.State(rawValue: Int32(truncatingIfNeeded: try row["state"] as Int))
            guard state == .dead else {
                throw DeliveryStoreError(
                    code: .notDead,
                    message: "delivery \"\(deliveryID)\" is \(state == .delivered ? "delivered" : "due"), "
                        + "not a dead letter; nothing to retry"
                )
            }
            try db.run(
                """
                UPDATE deliveries SET state = ?, round_attempts = 0, next_attempt_at_ms = ?, retried_by = ?,
                    retried_at_ms = ?
                WHERE delivery_id = ?
                """,
                [Int(Delivery.State.due.rawValue), nowMs, operatorID, nowMs, deliveryID]
            )
            let updated = try db.row("SELECT * FROM deliveries WHERE delivery_id = ?", [deliveryID])
            return try Self.delivery(from: updated ?? row, in: db)
        }
    }

    static func delivery(from row: SQLRow, in db: some SQLSession) throws -> Delivery {
        let deliveryID: String = try row["delivery_id"]
        let log = try db.rows("SELECT * FROM delivery_attempts WHERE delivery_id = ? ORDER BY attempt", [deliveryID])
            .map { attempt in
                DeliveryAttempt(
                    attempt: UInt32(clamping: try attempt["attempt"] as Int),
                    atMs: try attempt["at_ms"],
                    outcome: DeliveryAttempt.Outcome(
                        rawValue: Int32(truncatingIfNeeded: try attempt["outcome"] as Int)
                    ),
                    statusCode: Int32(truncatingIfNeeded: try attempt["status_code"] as Int),
                    reply: try attempt["reply"],
                    error: try attempt["error"]
                )
            }
        return Delivery(
            deliveryID: deliveryID,
            eventID: try row["event_id"],
            userID: try row["user_id"],
            refundID: try row["refund_id"],
            channel: Delivery.Channel(rawValue: Int32(truncatingIfNeeded: try row["channel"] as Int)),
            destination: try row["destination"],
            state: Delivery.State(rawValue: Int32(truncatingIfNeeded: try row["state"] as Int)),
            attempts: UInt32(clamping: try row["attempts"] as Int),
            nextAttemptAtMs: try row["next_attempt_at_ms"],
            createdAtMs: try row["created_at_ms"],
            deliveredAtMs: (try row["delivered_at_ms"] as Int64?) ?? 0,
            lastError: try row["last_error"],
            retriedBy: try row["retried_by"],
            log: log,
            kind: RefundEvent.Kind(rawValue: Int32(truncatingIfNeeded: try row["kind"] as Int))
        )
    }
}

/// A delivery operation that cannot be done, with why.
public struct DeliveryStoreError: Error, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case notFound
        case notDead
    }

    public var code: Code
    public var message: String

    public var description: String { message }
}

extension Duration {
    /// Whole milliseconds, rounded up so a wait is never shorter than asked.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }
}
