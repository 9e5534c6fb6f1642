/// A JSON value in an evidence record (R-R9): the few shapes a record needs, written out in one
/// canonical form so the bytes that are hashed are the bytes anyone can re-read.
public enum EvidenceValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case array([EvidenceValue])
    case object([String: EvidenceValue])
}

extension EvidenceValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension EvidenceValue {
    /// Canonical JSON: object keys sorted by their UTF-8 bytes, no whitespace, strings escaped
    /// only where JSON requires it (`"`, `\`, control characters as `\u00XX`, with the short forms
    /// `\n`, `\r`, `\t`), non-ASCII text as UTF-8. docs/EVIDENCE.md states the same rules.
    public func canonicalJSON(into out: inout [UInt8]) {
        switch self {
        case .string(let text):
            Self.appendString(text, into: &out)
        case .integer(let value):
            out.append(contentsOf: Array(String(value).utf8))
        case .bool(let value):
            out.append(contentsOf: Array((value ? "true" : "false").utf8))
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.canonicalJSON(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            let keys = fields.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                fields[key]!.canonicalJSON(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The canonical JSON text's bytes.
    public var canonicalJSON: [UInt8] {
        var out: [UInt8] = []
        canonicalJSON(into: &out)
        return out
    }

    private static func appendString(_ text: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
