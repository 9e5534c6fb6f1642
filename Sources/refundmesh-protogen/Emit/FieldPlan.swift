/// How one proto field is represented in Swift and in protobuf-c's struct.
struct FieldPlan {
    /// The element kind, after resolving message and enum types.
    enum Element {
        /// A number whose Swift and C types agree (Int32, UInt64, Float, …).
        case number(swiftType: String, defaultValue: String)
        case bool
        case string
        case bytes
        /// `swiftType` is the Swift enum, `cType` protoc-c's enum struct.
        case enumeration(swiftType: String, cType: String, defaultCase: String)
        case message(swiftType: String)

        var swiftType: String {
            switch self {
            case .number(let type, _): return type
            case .bool: return "Bool"
            case .string: return "String"
            case .bytes: return "[UInt8]"
            case .enumeration(let type, _, _): return type
            case .message(let type): return type
            }
        }

        /// The value of an unset field (messages: a default instance).
        var defaultValue: String {
            switch self {
            case .number(_, let value): return value
            case .bool: return "false"
            case .string: return "\"\""
            case .bytes: return "[]"
            case .enumeration(_, _, let defaultCase): return defaultCase
            case .message(let type): return "\(type)()"
            }
        }
    }

    enum Shape {
        case singular(Element)
        case repeated(Element)
        /// `entryCType`/`entryInit` name protoc-c's `…Entry` struct and its init function.
        case map(key: Element, value: Element, entryCType: String, entryInit: String)
    }

    var field: ProtoField
    /// For diagnostics and `field:` arguments: `refundmesh.testing.v1.KitchenSink.f_string`.
    var qualifiedName: String
    /// The bare Swift name (`callID`, `default`).
    var swiftName: String
    /// The struct member (`call_id`, `default_`).
    var cName: String
    var shape: Shape

    /// `swiftName` usable as an identifier (backticked when a keyword).
    var identifier: String { SwiftNaming.escaped(swiftName) }

    var swiftType: String {
        switch shape {
        case .singular(.message(let type)): return type + "?"
        case .singular(let element): return element.swiftType
        case .repeated(let element): return "[\(element.swiftType)]"
        case .map(let key, let value, _, _): return "[\(key.swiftType): \(value.swiftType)]"
        }
    }

    var defaultValue: String {
        switch shape {
        case .singular(.message): return "nil"
        case .singular(let element): return element.defaultValue
        case .repeated: return "[]"
        case .map: return "[:]"
        }
    }
}

/// A oneof: one Swift optional enum property over C's `…_case` member and anonymous union.
struct OneofPlan {
    var name: String
    /// The property (`choice`) and its enum type (`Choice`).
    var swiftName: String
    var typeName: String
    var cCaseMember: String
    /// Each member with its case name and `…_CHOICE_TEXT` constant.
    var members: [(plan: FieldPlan, caseName: String, cConstant: String)]

    var identifier: String { SwiftNaming.escaped(swiftName) }
}
