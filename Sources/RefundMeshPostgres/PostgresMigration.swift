/// One step of a PostgreSQL schema: SQL statements run in order, in one transaction, once per
/// database (``PostgresStore/migrate(_:)``).
public struct PostgresMigration: Sendable {
    /// Unique and never changed once shipped; the same name as the SQLite migration that makes
    /// the same change, where there is one.
    public var name: String
    /// The statements, one per element (the extended query protocol runs one at a time).
    public var statements: [String]

    /// Creates a migration.
    public init(_ name: String, _ statements: [String]) {
        self.name = name
        self.statements = statements
    }
}
