import GRDB
import RefundMeshAPI
import RefundMeshStore

/// The users' channel preferences (R-N2) in notification's store. The inbox is always on and is
/// not a preference.
public enum PreferenceStore {
    static let migration = StoreMigration("notification.2.preferences") { db in
        try db.execute(
            sql: """
                CREATE TABLE channel_preferences (
                    user_id TEXT PRIMARY KEY NOT NULL,
                    sms_enabled INTEGER NOT NULL,
                    email_enabled INTEGER NOT NULL,
                    webhook_enabled INTEGER NOT NULL,
                    phone TEXT NOT NULL,
                    email TEXT NOT NULL,
                    webhook_url TEXT NOT NULL,
                    webhook_secret TEXT NOT NULL,
                    locale TEXT NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                );
                """
        )
    }

    /// The user's stored preferences, secret included; nil when none were set (inbox only).
    static func fetch(_ db: some SQLSession, userID: String) throws -> ChannelPreferences? {
        guard
            let row = try db.row("SELECT * FROM channel_preferences WHERE user_id = ?", [userID])
        else { return nil }
        return ChannelPreferences(
            userID: try row["user_id"],
            smsEnabled: try row["sms_enabled"],
            emailEnabled: try row["email_enabled"],
            webhookEnabled: try row["webhook_enabled"],
            phone: try row["phone"],
            email: try row["email"],
            webhookURL: try row["webhook_url"],
            webhookSecret: try row["webhook_secret"],
            locale: try row["locale"],
            webhookSecretSet: !(try row["webhook_secret"] as String).isEmpty,
            updatedAtMs: try row["updated_at_ms"]
        )
    }

    /// Validates `request` against what is stored and stores the result, in one transaction.
    /// - Returns: What is stored now, without the secret.
    /// - Throws: ``PreferencesError`` naming the field to fix.
    public static func save(
        _ request: ChannelPreferences,
        in store: any ServiceDatabase,
        webhookAllowsHTTP: Bool,
        at nowMs: Int64
    ) async throws -> ChannelPreferences {
        try await store.write { db in
            let stored = try fetch(db, userID: request.userID)
            var next = try validated(request, stored: stored, webhookAllowsHTTP: webhookAllowsHTTP)
            next.updatedAtMs = nowMs
            try db.run(
                """
                INSERT INTO channel_preferences
                    (user_id, sms_enabled, email_enabled, webhook_enabled, phone, email, webhook_url,
                     webhook_secret, locale, updated_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET
                    sms_enabled = excluded.sms_enabled, email_enabled = excluded.email_enabled,
                    webhook_enabled = excluded.webhook_enabled, phone = excluded.phone,
                    email = excluded.email, webhook_url = excluded.webhook_url,
                    webhook_secret = excluded.webhook_secret, locale = excluded.locale,
                    updated_at_ms = excluded.updated_at_ms
                """,
                [
                    next.userID, next.smsEnabled, next.emailEnabled, next.webhookEnabled, next.phone, next.email,
                    next.webhookURL, next.webhookSecret, next.locale, next.updatedAtMs,
                ]
            )
            return redacted(next)
        }
    }

    /// The user's preferences as the API shows them: the defaults when none were set, never the
    /// secret.
    public static func load(userID: String, in store: any ServiceDatabase) async throws -> ChannelPreferences {
        try await store.read { db in
            try fetch(db, userID: userID).map(redacted) ?? ChannelPreferences(userID: userID)
        }
    }

    static func redacted(_ preferences: ChannelPreferences) -> ChannelPreferences {
        var copy = preferences
        copy.webhookSecretSet = !copy.webhookSecret.isEmpty
        copy.webhookSecret = ""
        return copy
    }

    /// Normalizes and checks every field; an enabled channel needs its address, and an empty
    /// secret keeps the stored one.
    /// - Throws: ``PreferencesError`` for the first field to fix.
    public static func validated(
        _ request: ChannelPreferences,
        stored: ChannelPreferences?,
        webhookAllowsHTTP: Bool
    ) throws -> ChannelPreferences {
        guard !request.userID.isEmpty else {
            throw PreferencesError(field: "user_id", message: "user_id is required")
        }
        var next = request
        next.phone = request.phone.isEmpty ? "" : try ContactValidation.phone(request.phone)
        next.email = request.email.isEmpty ? "" : try ContactValidation.email(request.email)
        next.webhookURL =
            request.webhookURL.isEmpty
            ? "" : try ContactValidation.webhookURL(request.webhookURL, allowsHTTP: webhookAllowsHTTP)
        next.locale = try ContactValidation.locale(request.locale)
        if !request.webhookSecret.isEmpty {
            next.webhookSecret = try ContactValidation.webhookSecret(request.webhookSecret)
        } else {
            next.webhookSecret = stored?.webhookSecret ?? ""
        }
        if next.smsEnabled, next.phone.isEmpty {
            throw PreferencesError(field: "phone", message: "sms_enabled needs a phone number (e.g. 13812345678)")
        }
        if next.emailEnabled, next.email.isEmpty {
            throw PreferencesError(field: "email", message: "email_enabled needs an e-mail address")
        }
        if next.webhookEnabled, next.webhookURL.isEmpty {
            throw PreferencesError(
                field: "webhook_url",
                message: "webhook_enabled needs a webhook_url (https://…)"
            )
        }
        if next.webhookEnabled, next.webhookSecret.isEmpty {
            throw PreferencesError(
                field: "webhook_secret",
                message: "webhook_enabled needs a webhook_secret (16 to 256 characters) to sign the events with"
            )
        }
        next.webhookSecretSet = !next.webhookSecret.isEmpty
        return next
    }
}
