import PostgresNIO

/// Why a ``PostgresStore`` call failed: a small extensible code, a message a person can act on,
/// and the underlying error.
public struct PostgresStoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The connection string is malformed or names something unsupported.
        public static let invalidConfiguration = Code("invalid configuration")
        /// The server could not be reached, refused the login, or the connection broke.
        public static let unavailable = Code("unavailable")
        /// A constraint refused the write (unique, check, not null, foreign key).
        public static let conflict = Code("conflict")
        /// The server gave up the transaction to resolve a deadlock or a serialization
        /// conflict; running it again may succeed.
        public static let retryable = Code("retryable")
        /// A migration failed, or the database was migrated by a newer build than this one.
        public static let migrationFailed = Code("migration failed")
        /// Any other failure the server reported.
        public static let database = Code("database")

        public var description: String { name }
    }

    /// What went wrong.
    public var code: Code
    /// What happened, for a person.
    public var message: String
    /// The error underneath, if any.
    public var cause: (any Error)?

    /// Creates an error.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }

    /// Wraps what a query threw: a server error keeps its SQLSTATE and message, a connection
    /// failure becomes ``Code/unavailable``; any other error (the caller's own) stays as it is.
    static func wrapping(_ error: any Error) -> any Error {
        if error is PostgresStoreError || error is CancellationError { return error }
        guard let psql = error as? PSQLError else {
            // The pool gives up leasing after the server has refused connections for a while
            // (its circuit breaker); its error type is in a module postgres-nio does not export.
            if String(reflecting: type(of: error)).contains("ConnectionPoolError") {
                return PostgresStoreError(
                    code: .unavailable,
                    message: "PostgreSQL unreachable: \(error)",
                    cause: error
                )
            }
            // The caller's own error, thrown from its transaction: it stays its own.
            return error
        }
        guard let state = psql.serverInfo?[.sqlState] else {
            let reason = psql.underlying.map { String(describing: $0) } ?? String(describing: psql.code)
            return PostgresStoreError(
                code: .unavailable,
                message: "PostgreSQL connection failed: \(reason)",
                cause: error
            )
        }
        let text = psql.serverInfo?[.message] ?? "SQLSTATE \(state)"
        let detail = psql.serverInfo?[.detail].map { " (\($0))" } ?? ""
        let code: Code =
            switch state.prefix(2) {
            case "23": .conflict
            case "40": .retryable
            case "08", "28", "57", "53": .unavailable
            default: .database
            }
        return PostgresStoreError(code: code, message: "\(text)\(detail) [SQLSTATE \(state)]", cause: error)
    }
}
