extension EvidenceValue {
    /// Reads JSON text of the shapes an evidence record uses (objects, arrays, strings, integers,
    /// booleans), so a verifier can look inside an entry and check it is canonical
    /// (``canonicalJSON``).
    ///
    /// Strict: `null`, fractions and exponents, duplicate keys, bad escapes, unpaired surrogates
    /// and trailing bytes are errors. Whitespace between tokens is accepted (and is what makes a
    /// text non-canonical).
    /// - Throws: ``EvidenceError`` (``EvidenceError/Code/malformed``) naming the byte offset.
    public static func parse(_ bytes: [UInt8]) throws -> EvidenceValue {
        var parser = Parser(bytes: bytes)
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.offset == bytes.count else { throw parser.error("trailing bytes after the value") }
        return value
    }

    /// The field `key` of an object, nil for anything else.
    public subscript(key: String) -> EvidenceValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    /// The integer, if this is one.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

private struct Parser {
    let bytes: [UInt8]
    var offset = 0
    static let maximumDepth = 64

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    func error(_ message: String) -> EvidenceError {
        EvidenceError(code: .malformed, message: "invalid JSON at byte \(offset): \(message)")
    }

    mutating func skipWhitespace() {
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
    }

    mutating func value(depth: Int) throws -> EvidenceValue {
        guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth)") }
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try integer())
        case UInt8(ascii: "n"): throw error("null is not used in evidence records")
        default: throw error("unexpected character")
        }
    }

    mutating func literal(_ word: String, _ value: EvidenceValue) throws -> EvidenceValue {
        let utf8 = Array(word.utf8)
        guard offset + utf8.count <= bytes.count, Array(bytes[offset..<offset + utf8.count]) == utf8 else {
            throw error("expected \(word)")
        }
        offset += utf8.count
        return value
    }

    mutating func object(depth: Int) throws -> EvidenceValue {
        offset += 1
        var fields: [String: EvidenceValue] = [:]
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let key = try string()
            guard fields[key] == nil else { throw error("duplicate key \"\(key)\"") }
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw error("expected ':'") }
            offset += 1
            fields[key] = try value(depth: depth + 1)
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end in an object") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
            } else if bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(fields)
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    mutating func array(depth: Int) throws -> EvidenceValue {
        offset += 1
        var values: [EvidenceValue] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .array(values)
        }
        while true {
            values.append(try value(depth: depth + 1))
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end in an array") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
            } else if bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(values)
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    mutating func integer() throws -> Int64 {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let digitsStart = offset
        while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) { offset += 1 }
        guard offset > digitsStart else { throw error("expected digits") }
        if bytes[digitsStart] == UInt8(ascii: "0") && offset - digitsStart > 1 { throw error("leading zero") }
        if offset < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[offset]) {
            throw error("only integers are used in evidence records")
        }
        guard let value = Int64(String(decoding: bytes[start..<offset], as: UTF8.self)) else {
            throw error("integer out of range")
        }
        return value
    }

    mutating func string() throws -> String {
        offset += 1  // the opening quote
        var out: [UInt8] = []
        while true {
            guard offset < bytes.count else { throw error("unterminated string") }
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else { throw error("string is not UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                guard offset < bytes.count else { throw error("unterminated escape") }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): out.append(contentsOf: try unicodeEscape())
                default: throw error("unknown escape")
                }
            case 0x00..<0x20:
                throw error("control character in a string")
            default:
                out.append(byte)
            }
        }
    }

    /// After `\u`: four hex digits (and a second `\uXXXX` for a surrogate pair), as UTF-8.
    mutating func unicodeEscape() throws -> [UInt8] {
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
            guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
            else { throw error("unpaired surrogate") }
            offset += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw error("unpaired surrogate")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid code point") }
        return Array(String(Character(unicode)).utf8)
    }

    mutating func hex4() throws -> UInt32 {
        guard offset + 4 <= bytes.count,
            let bytes = EvidenceHex.decode(String(decoding: bytes[offset..<offset + 4], as: UTF8.self))
        else { throw error("expected four hex digits") }
        offset += 4
        return UInt32(bytes[0]) << 8 | UInt32(bytes[1])
    }
}
