import GRDB
import GRDBSQLite

/// Running a statement with SQLite's own calls: the path every ``SQLSession`` statement, outbox
/// enqueue and group-commit savepoint takes on a SQLite ``Store``.
///
/// GRDB still prepares and caches the statements (`cachedStatement`); binding and stepping skip
/// its execution layer. On the group-commit writer that layer (arguments boxed as existentials
/// and bound through nested closures, the observation broker's bookkeeping of every statement,
/// savepoint names lowercased) cost about as much as SQLite's own work for the statements
/// (docs/PERFORMANCE.md, "2026-12-07, later"). What it also did and what stands in for it here:
/// - a failure becomes the same `DatabaseError` (extended result code, SQLite's message, the
///   SQL), which ``StoreError`` maps as before;
/// - statements whose arguments do not match their placeholders are refused before running;
/// - GRDB's transaction observers are not told of these statements: the stores register none.
extension Database {
    /// Binds `values` to the cached statement for `sql`, steps it to its end (calling `row` on each
    /// row it yields) and leaves it reset with no bindings.
    /// - Throws: `DatabaseError` as GRDB would: a misuse for a wrong argument count, otherwise
    ///   SQLite's extended result code and message.
    func step(_ sql: String, _ values: [SQLValue], row: (SQLiteStatement) -> Void = { _ in }) throws {
        try step(cachedStatement(sql: sql), values, row: row)
    }

    /// ``step(_:_:row:)`` on a statement already taken from the cache.
    func step(_ statement: Statement, _ values: [SQLValue], row: (SQLiteStatement) -> Void = { _ in }) throws {
        let handle = statement.sqliteStatement
        // A statement GRDB stepped part-way (a cursor dropped early) must start over.
        sqlite3_reset(handle)
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw DatabaseError(
                resultCode: .SQLITE_MISUSE,
                message: "wrong number of statement arguments: \(values.count) given, \(expected) expected",
                sql: statement.sql
            )
        }
        for (offset, value) in values.enumerated() {
            let code = Self.bind(value, to: handle, at: CInt(offset + 1))
            guard code == SQLITE_OK else { throw failure(code, statement) }
        }
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_DONE: return
            case SQLITE_ROW: row(handle)
            case let code: throw failure(code, statement)
            }
        }
    }

    /// The error SQLite reports for `code`, as GRDB builds it.
    private func failure(_ code: CInt, _ statement: Statement) -> DatabaseError {
        // sqlite3_prepare_v3 statements return the specific code from sqlite3_step; the extended
        // one says more (SQLITE_CONSTRAINT_UNIQUE, SQLITE_IOERR_FSYNC).
        let extended = sqlite3_extended_errcode(sqliteConnection)
        let resultCode = ResultCode(rawValue: extended & 0xFF == code & 0xFF ? extended : code)
        // `Statement.sql` trims the text on every call: only a failure pays for it.
        return DatabaseError(resultCode: resultCode, message: lastErrorMessage, sql: statement.sql)
    }

    /// Binds one value; SQLite copies text and blobs (`SQLITE_TRANSIENT`), as GRDB's bindings do.
    private static func bind(_ value: SQLValue, to handle: SQLiteStatement, at index: CInt) -> CInt {
        switch value {
        case .null:
            sqlite3_bind_null(handle, index)
        case .integer(let integer):
            sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            sqlite3_bind_double(handle, index, real)
        case .text(let text):
            sqlite3_bind_text(handle, index, text, -1, transient)
        case .blob(let data):
            data.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, CInt($0.count), transient) }
        }
    }

    /// `SQLITE_TRANSIENT`, which Swift does not import (a cast of -1 to a destructor).
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
