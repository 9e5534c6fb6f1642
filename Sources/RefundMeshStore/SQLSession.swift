import Foundation
import GRDB
import GRDBSQLite

/// Which SQL engine a ``SQLSession`` talks to.
public enum SQLDialect: Sendable, Hashable, CustomStringConvertible {
    /// The embedded default: a ``Store`` file.
    case sqlite
    /// A PostgreSQL server (the `RefundMeshPostgres` module).
    case postgres

    public var description: String {
        switch self {
        case .sqlite: "SQLite"
        case .postgres: "PostgreSQL"
        }
    }

    /// The column that orders a table's rows as they were inserted: SQLite's `rowid`; on
    /// PostgreSQL the identity column `seq` such tables carry in their migrations.
    public var insertionOrder: String {
        switch self {
        case .sqlite: "rowid"
        case .postgres: "seq"
        }
    }
}

/// One transaction's connection, whichever engine is behind it: the seam the services' stores
/// are written against (docs/SCALING.md).
///
/// A service's store code takes `some SQLSession` and writes its statements once, in the SQL
/// both engines share: `?` placeholders (a PostgreSQL session numbers them), `ON CONFLICT … DO
/// NOTHING | DO UPDATE`, `RETURNING`, `COALESCE`, integers for booleans and instants. Where the
/// dialects differ (a table's DDL, an engine-only function), the code asks ``dialect``.
///
/// GRDB's `Database` is a session (the SQLite ``Store``'s `write` and `read` hand one out), so
/// store functions taking `some SQLSession` run unchanged in a SQLite transaction.
public protocol SQLSession {
    /// The engine behind this session.
    var dialect: SQLDialect { get }

    /// Runs one statement and returns how many rows it inserted, updated or deleted.
    @discardableResult
    func run(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int

    /// Runs one query and returns its rows.
    func rows(_ sql: String, _ arguments: [any SQLBindable]) throws -> [SQLRow]
}

extension SQLSession {
    /// Runs a statement without arguments.
    @discardableResult
    public func run(_ sql: String) throws -> Int { try run(sql, []) }

    /// Runs a query without arguments.
    public func rows(_ sql: String) throws -> [SQLRow] { try rows(sql, []) }

    /// The first row of a query, or nil when it has none.
    public func row(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> SQLRow? {
        try rows(sql, arguments).first
    }

    /// The first column of a query's first row; nil when there is no row or the value is NULL.
    public func value<Value: SQLDecodable>(
        _ type: Value.Type,
        _ sql: String,
        _ arguments: [any SQLBindable] = []
    ) throws -> Value? {
        guard let row = try rows(sql, arguments).first, let value = row.values.first else { return nil }
        if case .null = value { return nil }
        return try Value(sqlValue: value, column: row.names.first ?? "")
    }
}

// MARK: Values

/// A value bound to a statement or read from a row: SQLite's storage classes, which PostgreSQL's
/// types used here map onto (BIGINT/INTEGER/SMALLINT/BOOLEAN/NUMERIC integers, TEXT, BYTEA,
/// DOUBLE PRECISION).
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// A Swift value a statement can bind.
public protocol SQLBindable {
    /// The value as bound.
    var sqlValue: SQLValue { get }
}

/// A Swift value a row column can be read as.
public protocol SQLDecodable {
    /// Reads `sqlValue`, or throws ``SQLDecodingError`` naming `column` when it does not fit.
    init(sqlValue: SQLValue, column: String) throws
}

/// A column's value does not fit the Swift type it was read as: the schema and the code disagree.
public struct SQLDecodingError: Error, Sendable, CustomStringConvertible {
    /// The column read.
    public var column: String
    /// The Swift type asked for.
    public var type: String
    /// The value found.
    public var value: SQLValue

    public var description: String { "column \(column) holds \(value), which is not a \(type)" }

    init(column: String, type: Any.Type, value: SQLValue) {
        self.column = column
        self.type = String(describing: type)
        self.value = value
    }
}

extension SQLValue: SQLBindable {
    public var sqlValue: SQLValue { self }
}

extension String: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .text(self) }
    public init(sqlValue: SQLValue, column: String) throws {
        guard case .text(let text) = sqlValue else {
            throw SQLDecodingError(column: column, type: Self.self, value: sqlValue)
        }
        self = text
    }
}

extension Int64: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .integer(self) }
    public init(sqlValue: SQLValue, column: String) throws {
        switch sqlValue {
        case .integer(let value): self = value
        // SQLite keeps a REAL that an INTEGER column was given; PostgreSQL's SUM of BIGINT is NUMERIC.
        case .real(let value) where value.rounded() == value && abs(value) < 9.2e18: self = Int64(value)
        default: throw SQLDecodingError(column: column, type: Self.self, value: sqlValue)
        }
    }
}

extension Int: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init(sqlValue: SQLValue, column: String) throws {
        self = Int(try Int64(sqlValue: sqlValue, column: column))
    }
}

extension Int32: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init(sqlValue: SQLValue, column: String) throws {
        let wide = try Int64(sqlValue: sqlValue, column: column)
        guard let narrow = Int32(exactly: wide) else {
            throw SQLDecodingError(column: column, type: Self.self, value: sqlValue)
        }
        self = narrow
    }
}

/// Booleans are stored as integers 0 and 1 on both engines.
extension Bool: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    public init(sqlValue: SQLValue, column: String) throws {
        self = try Int64(sqlValue: sqlValue, column: column) != 0
    }
}

extension Double: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .real(self) }
    public init(sqlValue: SQLValue, column: String) throws {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: throw SQLDecodingError(column: column, type: Self.self, value: sqlValue)
        }
    }
}

extension Data: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .blob(self) }
    public init(sqlValue: SQLValue, column: String) throws {
        switch sqlValue {
        case .blob(let data): self = data
        // SQLite hands back an empty BLOB as a zero-length value of either class.
        case .text(let text) where text.isEmpty: self = Data()
        default: throw SQLDecodingError(column: column, type: Self.self, value: sqlValue)
        }
    }
}

extension [UInt8]: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .blob(Data(self)) }
    public init(sqlValue: SQLValue, column: String) throws {
        self = [UInt8](try Data(sqlValue: sqlValue, column: column))
    }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public init(sqlValue: SQLValue, column: String) throws {
        if case .null = sqlValue {
            self = nil
        } else {
            self = try Wrapped(sqlValue: sqlValue, column: column)
        }
    }
}

// MARK: Rows

/// One row of a query: its column names and values, read by name or position.
public struct SQLRow: Sendable, Hashable {
    /// The column names, as the query named them.
    public let names: [String]
    /// The values, in column order.
    public let values: [SQLValue]

    /// A row of `names` and `values` (the same count).
    public init(names: [String], values: [SQLValue]) {
        precondition(names.count == values.count, "a row needs one value per column")
        self.names = names
        self.values = values
    }

    /// The value of column `name` as `Value`.
    /// - Throws: ``SQLDecodingError`` if the query has no such column or its value does not fit.
    public subscript<Value: SQLDecodable>(_ name: String) -> Value {
        get throws {
            guard let index = names.firstIndex(of: name) else {
                throw SQLDecodingError(column: name, type: Value.self, value: .null)
            }
            return try Value(sqlValue: values[index], column: name)
        }
    }

    /// The value of the column at `index` as `Value`.
    public subscript<Value: SQLDecodable>(_ index: Int) -> Value {
        get throws { try Value(sqlValue: values[index], column: names[index]) }
    }

    /// Whether the query named a column `name`.
    public func hasColumn(_ name: String) -> Bool { names.contains(name) }
}

// MARK: SQLite

extension Database: SQLSession {
    public var dialect: SQLDialect { .sqlite }

    @discardableResult
    public func run(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int {
        try step(sql, arguments.map(\.sqlValue))
        return Int(sqlite3_changes(sqliteConnection))
    }

    public func rows(_ sql: String, _ arguments: [any SQLBindable]) throws -> [SQLRow] {
        let statement = try cachedStatement(sql: sql)
        let names = statement.columnNames  // the same for every row of the statement
        // Each row's values are read straight from SQLite into `SQLValue`s. Copying every row into
        // a GRDB `Row` first, then converting, cost about as much as SQLite's own work on the reads
        // of intake's hot path.
        let columns = CInt(names.count)
        var rows: [SQLRow] = []
        try step(statement, arguments.map(\.sqlValue)) { handle in
            var values: [SQLValue] = []
            values.reserveCapacity(names.count)
            for index in 0..<columns { values.append(Self.value(handle, index)) }
            rows.append(SQLRow(names: names, values: values))
        }
        return rows
    }

    /// Column `index` of the statement's current row.
    private static func value(_ statement: SQLiteStatement, _ index: CInt) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            // Text first, then its length in bytes (SQLite's documented order).
            let text = sqlite3_column_text(statement, index)
            let count = Int(sqlite3_column_bytes(statement, index))
            guard let text else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let bytes = sqlite3_column_blob(statement, index)
            let count = Int(sqlite3_column_bytes(statement, index))
            guard let bytes, count > 0 else { return .blob(Data()) }
            return .blob(Data(bytes: bytes, count: count))
        default:
            return .null
        }
    }
}
