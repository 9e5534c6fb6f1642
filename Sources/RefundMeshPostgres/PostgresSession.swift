import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import RefundMeshStore

/// A ``RefundMeshStore/SQLSession`` on one PostgreSQL connection, inside a transaction of
/// ``PostgresStore/write(_:)`` or ``PostgresStore/read(_:)``.
///
/// The services' store code is synchronous (it runs inside SQLite's transactions unchanged), so
/// this session runs on a thread of its own (``PostgresStore``'s blocking pool, never an event
/// loop) and waits for each statement's answer. `?` placeholders become `$1`, `$2`, …; values are
/// bound in binary and read back as ``RefundMeshStore/SQLValue``.
struct PostgresSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger

    var dialect: SQLDialect { .postgres }

    @discardableResult
    func run(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int {
        try query(sql, arguments).metadata.rows ?? 0
    }

    func rows(_ sql: String, _ arguments: [any SQLBindable]) throws -> [SQLRow] {
        let result = try query(sql, arguments)
        guard let first = result.rows.first else { return [] }
        let names = first.map(\.columnName)  // the same for every row of the query
        return try result.rows.map { row in SQLRow(names: names, values: try row.map(Self.value(of:))) }
    }

    private func query(_ sql: String, _ arguments: [any SQLBindable]) throws -> PostgresQueryResult {
        let query = PostgresQuery(unsafeSQL: PlaceholderNumbering.numbered(sql), binds: Self.bindings(arguments))
        do {
            return try connection.query(query, logger: logger).wait()
        } catch {
            throw PostgresStoreError.wrapping(error)
        }
    }

    /// `arguments` bound in binary, in order.
    static func bindings(_ arguments: [any SQLBindable]) -> PostgresBindings {
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument.sqlValue {
            case .null: binds.appendNull()
            case .integer(let integer): binds.append(integer)
            case .real(let real): binds.append(real)
            case .text(let text): binds.append(text)
            case .blob(let data): binds.append(ByteBuffer(bytes: data))
            }
        }
        return binds
    }

    /// A cell as a ``SQLValue``: integers (and booleans, and integral NUMERICs) as integers.
    static func value(of cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bytea: return .blob(Data(buffer: try cell.decode(ByteBuffer.self)))
        case .numeric:
            let decimal = try cell.decode(Decimal.self)
            let integer = NSDecimalNumber(decimal: decimal).int64Value
            if Decimal(integer) == decimal { return .integer(integer) }
            return .real(NSDecimalNumber(decimal: decimal).doubleValue)
        default: return .text(try cell.decode(String.self))
        }
    }
}

/// Turns SQLite-style `?` placeholders into PostgreSQL's `$1`, `$2`, … (outside quoted text,
/// quoted names and comments), once per distinct statement.
enum PlaceholderNumbering {
    private static let cache = NIOLockedValueBox([String: String]())

    static func numbered(_ sql: String) -> String {
        if let known = cache.withLockedValue({ $0[sql] }) { return known }
        let result = number(sql)
        cache.withLockedValue { cache in
            // Statements are fixed strings in code; a bound keeps a stray dynamic one from growing it.
            if cache.count > 4096 { cache.removeAll(keepingCapacity: true) }
            cache[sql] = result
        }
        return result
    }

    static func number(_ sql: String) -> String {
        var output = ""
        output.reserveCapacity(sql.utf8.count + 16)
        var index = 0
        var quote: Character?
        var lineComment = false
        var previous: Character = " "
        for character in sql {
            defer { previous = character }
            if lineComment {
                if character == "\n" { lineComment = false }
                output.append(character)
                continue
            }
            if let open = quote {
                if character == open { quote = nil }
                output.append(character)
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                output.append(character)
            case "-" where previous == "-":
                lineComment = true
                output.append(character)
            case "?":
                index += 1
                output.append("$\(index)")
            default:
                output.append(character)
            }
        }
        return output
    }
}
