import GRDB

/// A storage failure a caller may have to act on.
///
/// Like GRDB's `DatabaseError` and the RPC runtime's `RPCError`, it is a struct with an extensible
/// ``Code``, a message written for a person and the underlying ``cause``. ``Store`` maps every
/// `DatabaseError` it sees to a `StoreError`, so callers can match ``Code/conflict`` (a unique or
/// check constraint refused the write) or ``Code/busy`` without importing SQLite result codes.
/// Errors thrown by the caller's own closure (domain errors, `CancellationError`) pass through
/// unchanged.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a small extensible set of codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case conflict
            case busy
            case openFailed
            case migrationFailed
            case invalidMigration
            case database
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// A constraint refused the write (UNIQUE, PRIMARY KEY, CHECK, NOT NULL, FOREIGN KEY).
        public static let conflict = Code(.conflict)
        /// The database stayed locked by another connection for longer than the busy timeout.
        public static let busy = Code(.busy)
        /// The database file or its directory could not be created or opened.
        public static let openFailed = Code(.openFailed)
        /// A migration threw, or the file was migrated by a newer build than this one.
        public static let migrationFailed = Code(.migrationFailed)
        /// The migrations handed to ``Store`` are malformed (duplicate or reserved names).
        public static let invalidMigration = Code(.invalidMigration)
        /// Any other SQLite failure (I/O error, disk full, corruption, misuse).
        public static let database = Code(.database)

        /// The code's name, e.g. `conflict`.
        public var description: String {
            switch wrapped {
            case .conflict: "conflict"
            case .busy: "busy"
            case .openFailed: "openFailed"
            case .migrationFailed: "migrationFailed"
            case .invalidMigration: "invalidMigration"
            case .database: "database"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// A sentence a person can act on.
    public var message: String
    /// The error behind this one (usually a GRDB `DatabaseError`), if any.
    public var cause: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A sentence a person can act on.
    ///   - cause: The underlying error, if any.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}

extension StoreError {
    /// Maps a GRDB error to a store error, keeping it as ``cause``.
    init(_ error: DatabaseError) {
        let code: Code =
            switch error.resultCode {
            case .SQLITE_CONSTRAINT: .conflict
            case .SQLITE_BUSY, .SQLITE_LOCKED: .busy
            default: .database
            }
        self.init(code: code, message: error.message ?? "\(error.resultCode)", cause: error)
    }

    /// Runs `body`, turning any `DatabaseError` it throws into a ``StoreError``.
    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw StoreError(error)
        }
    }

    /// Runs `body`, turning any `DatabaseError` it throws into a ``StoreError``.
    static func mappingAsync<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError {
            throw StoreError(error)
        }
    }
}
