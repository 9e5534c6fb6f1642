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
            out.append(contentsOf: String(value).utf8)
        case .bool(let value):
            out.append(contentsOf: (value ? "true" : "false").utf8)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.canonicalJSON(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            // Compared on the UTF-8 views in place: copying each key into an array per comparison
            // was most of review's cost of writing an evidence record (docs/PERFORMANCE.md).
            let sorted = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, field) in sorted.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendString(field.key, into: &out)
                out.append(UInt8(ascii: ":"))
                field.value.canonicalJSON(into: &out)
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
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            // Runs of bytes that need no escape are copied whole.
            var runStart = 0
            for (index, byte) in bytes.enumerated()
            where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: "u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
