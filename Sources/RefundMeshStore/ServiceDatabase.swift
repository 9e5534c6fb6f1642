import GRDB

/// A service's database, whichever engine holds it: transactions that hand the store code a
/// ``SQLSession``.
///
/// The SQLite ``Store`` is one (``Store/database``), `RefundMeshPostgres`'s `PostgresStore` the
/// other; a service's handler holds `any ServiceDatabase` and its store code is written once
/// (docs/SCALING.md). On both, a write is all or nothing and writes run one at a time: SQLite has
/// one writer, and on PostgreSQL each write first takes the database's write lock, whichever
/// replica runs it.
public protocol ServiceDatabase: Sendable {
    /// The engine.
    var dialect: SQLDialect { get }

    /// Runs `updates` as one all-or-nothing write and returns its result once it is committed.
    /// It may run more than once (PostgreSQL retries a transaction the server gave up, such as a
    /// deadlock victim), so it must not have effects outside the database.
    func write<T: Sendable>(_ updates: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T

    /// Like ``write(_:)``, but once called the write runs even if the task is cancelled: for
    /// recording something that already happened outside the database.
    func writeIgnoringCancellation<T: Sendable>(
        _ updates: @escaping @Sendable (any SQLSession) throws -> T
    ) async throws -> T

    /// Runs `value` in a read-only transaction that sees one committed state.
    func read<T: Sendable>(_ value: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T

    /// Whether `error`, thrown by one of this database's writes, says a constraint (unique,
    /// primary key, check) refused the write: for a caller that lost a race to insert the same
    /// row, on either engine.
    func isConflict(_ error: any Error) -> Bool
}

extension Store {
    /// This store as a ``ServiceDatabase``.
    public var database: SQLiteDatabase { SQLiteDatabase(store: self) }
}

/// A ``Store`` seen as a ``ServiceDatabase``: its group-committed writes and pooled reads.
public struct SQLiteDatabase: ServiceDatabase {
    /// The store.
    public let store: Store

    /// The store `store` as a ``ServiceDatabase``.
    public init(store: Store) {
        self.store = store
    }

    public var dialect: SQLDialect { .sqlite }

    @discardableResult
    public func write<T: Sendable>(_ updates: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await store.write { (db: Database) in try updates(db) }
    }

    @discardableResult
    public func writeIgnoringCancellation<T: Sendable>(
        _ updates: @escaping @Sendable (any SQLSession) throws -> T
    ) async throws -> T {
        try await store.writeIgnoringCancellation { (db: Database) in try updates(db) }
    }

    public func read<T: Sendable>(_ value: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await store.read { (db: Database) in try value(db) }
    }

    public func isConflict(_ error: any Error) -> Bool {
        (error as? StoreError)?.code == .conflict
    }
}
