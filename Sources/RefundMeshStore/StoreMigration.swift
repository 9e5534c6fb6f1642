import GRDB

/// One named, versioned schema change a service hands to ``Store``.
///
/// Migrations run in the order given, each in its own transaction, once per database file: GRDB's
/// `DatabaseMigrator` records applied names in the file itself, so reopening runs only the new
/// ones. Never rename or edit a migration that has shipped; add a new one.
/// Names starting with ``Store/reservedMigrationPrefix`` belong to the store.
public struct StoreMigration: Sendable {
    /// The migration's permanent identifier, e.g. `intake.v1.refund-requests`.
    public var name: String
    /// The schema change; runs inside a transaction with deferred foreign key checks.
    public var migrate: @Sendable (Database) throws -> Void

    /// Creates a migration.
    /// - Parameters:
    ///   - name: The migration's permanent identifier.
    ///   - migrate: The schema change.
    public init(_ name: String, migrate: @escaping @Sendable (Database) throws -> Void) {
        self.name = name
        self.migrate = migrate
    }
}
