/// Emits a message's `ProtobufCBridged` conformance: the forwarding to protoc-c's functions,
/// `lower(into:arena:)` (Swift → C struct, every allocation from the arena) and
/// `init(lifting:)` (C struct → Swift, validating strings).
///
/// The code is straight-line per field: no existentials, no Foundation, closures only where the
/// arena's array helpers convert elements (enums, booleans), and those are non-escaping.
struct BridgeEmitter {
    let resolver: TypeResolver

    func emit(_ message: ProtoMessageType, scope: [ProtoMessageType], into writer: inout CodeWriter) throws {
        let scope = scope + [message]
        let symbol = try resolver.symbol(message.fullName)
        let members = try MessagePlanner(resolver: resolver).members(of: message, scope: scope)
        let prefix = symbol.cFunctionPrefix

        writer.line()
        try writer.block("extension \(symbol.swiftPath): ProtobufCBridged {") { w in
            w.line("public typealias CStruct = \(symbol.cTypeName)")
            w.line()
            w.line("public static var protoMessageName: String { \"\(message.fullName)\" }")
            w.line()
            w.line("public static func cInit(_ pointer: UnsafeMutablePointer<CStruct>) { \(prefix)__init(pointer) }")
            w.line()
            if symbol.isTopLevel {
                w.line(
                    "public static func cPackedSize(_ pointer: UnsafePointer<CStruct>) -> Int { \(prefix)__get_packed_size(pointer) }"
                )
                w.line()
                w.block(
                    "public static func cPack(_ pointer: UnsafePointer<CStruct>, into out: UnsafeMutablePointer<UInt8>) -> Int {"
                ) { w in
                    w.line("\(prefix)__pack(pointer, out)")
                }
                w.line()
                w.line("public static func cUnpack(")
                w.line("    allocator: UnsafeMutablePointer<ProtobufCAllocator>,")
                w.line("    count: Int,")
                w.line("    bytes: UnsafePointer<UInt8>")
                w.line(") -> UnsafeMutablePointer<CStruct>? {")
                w.line("    \(prefix)__unpack(allocator, count, bytes)")
                w.line("}")
            } else {
                emitNestedForwarding(into: &w)
            }
            w.line()
            if members.isEmpty {
                w.line(
                    "public func lower(into pointer: UnsafeMutablePointer<CStruct>, arena: ProtobufCArena) throws {}"
                )
                w.line()
                w.line("public init(lifting pointer: UnsafePointer<CStruct>) throws {}")
                return
            }
            try w.block(
                "public func lower(into pointer: UnsafeMutablePointer<CStruct>, arena: ProtobufCArena) throws {"
            ) { w in
                for member in members {
                    switch member {
                    case .field(let plan): try lower(plan, into: &w)
                    case .oneof(let oneof): try lower(oneof, into: &w)
                    }
                }
            }
            w.line()
            try w.block("public init(lifting pointer: UnsafePointer<CStruct>) throws {") { w in
                for member in members {
                    switch member {
                    case .field(let plan): try lift(plan, into: &w)
                    case .oneof(let oneof): try lift(oneof, into: &w)
                    }
                }
            }
        }
        for nested in message.messages where !nested.isMapEntry {
            try emit(nested, scope: scope, into: &writer)
        }
    }

    /// protoc-c emits pack/unpack only for top-level messages; nested ones use the generic
    /// functions with the descriptor that `…__init` stores in `base` (a C `const` global has no
    /// stable address Swift can take). The casts go through `OpaquePointer` because the C struct
    /// `ProtobufCMessage` is shadowed by RefundMeshWire's protocol of the same name.
    private func emitNestedForwarding(into w: inout CodeWriter) {
        w.line("public static func cPackedSize(_ pointer: UnsafePointer<CStruct>) -> Int {")
        w.line("    protobuf_c_message_get_packed_size(.init(OpaquePointer(pointer)))")
        w.line("}")
        w.line()
        w.line(
            "public static func cPack(_ pointer: UnsafePointer<CStruct>, into out: UnsafeMutablePointer<UInt8>) -> Int {"
        )
        w.line("    protobuf_c_message_pack(.init(OpaquePointer(pointer)), out)")
        w.line("}")
        w.line()
        w.line("public static func cUnpack(")
        w.line("    allocator: UnsafeMutablePointer<ProtobufCAllocator>,")
        w.line("    count: Int,")
        w.line("    bytes: UnsafePointer<UInt8>")
        w.line(") -> UnsafeMutablePointer<CStruct>? {")
        w.line("    var prototype = CStruct()")
        w.line("    cInit(&prototype)")
        w.line(
            "    guard let message = protobuf_c_message_unpack(prototype.base.descriptor, allocator, count, bytes) else { return nil }"
        )
        w.line("    return UnsafeMutablePointer<CStruct>(OpaquePointer(message))")
        w.line("}")
    }

    // MARK: Swift → C

    private func lower(_ plan: FieldPlan, into w: inout CodeWriter) throws {
        let member = "pointer.pointee.\(plan.cName)"
        let count = "pointer.pointee.n_\(plan.cName)"
        let value = "self.\(plan.identifier)"
        let field = "\"\(plan.qualifiedName)\""
        switch plan.shape {
        case .singular(.message):
            w.line("if let value = \(value) { \(member) = try arena.lower(value) }")
        case .singular(.string):
            w.line("if !\(value).isEmpty { \(member) = try arena.string(\(value), field: \(field)) }")
        case .singular(.bytes):
            w.line("if !\(value).isEmpty { \(member) = try arena.binary(\(value)) }")
        case .singular(let element):
            w.line("\(member) = \(cValue(value, element))")
        case .repeated(let element):
            let array: String
            switch element {
            case .number: array = "try arena.array(\(value))"
            case .bool, .enumeration: array = "try arena.array(\(value)) { \(cValue("$0", element)) }"
            case .string: array = "try arena.strings(\(value), field: \(field))"
            case .bytes: array = "try arena.binaries(\(value))"
            case .message: array = "try arena.lower(\(value))"
            }
            w.block("if !\(value).isEmpty {") { w in
                w.line("\(count) = \(value).count")
                w.line("\(member) = \(array)")
            }
        case .map(let key, let mapValue, let entryCType, let entryInit):
            // Entries in key order, so equal maps encode to identical bytes.
            try w.block("if !\(value).isEmpty {") { w in
                w.line(
                    "let entries = try arena.allocate(UnsafeMutablePointer<\(entryCType)>?.self, count: \(value).count)"
                )
                w.line("var index = 0")
                try w.block("for (key, value) in \(value).sorted(by: { \(keyOrder(key)) }) {") { w in
                    w.line("let entry = try arena.allocate(\(entryCType).self)")
                    w.line("\(entryInit)(entry)")
                    w.line(try lowerMapPart("entry.pointee.key", "key", key, field: field))
                    w.line(try lowerMapPart("entry.pointee.value", "value", mapValue, field: field))
                    w.line("entries[index] = entry")
                    w.line("index += 1")
                }
                w.line("\(count) = \(value).count")
                w.line("\(member) = entries")
            }
        }
    }

    private func lower(_ oneof: OneofPlan, into w: inout CodeWriter) throws {
        w.line("switch self.\(oneof.identifier) {")
        w.line("case nil: break")
        do {
            for (plan, caseName, constant) in oneof.members {
                guard case .singular(let element) = plan.shape else { continue }
                let member = "pointer.pointee.\(plan.cName)"
                let assignment: String
                switch element {
                case .message: assignment = "\(member) = try arena.lower(value)"
                case .string: assignment = "\(member) = try arena.string(value, field: \"\(plan.qualifiedName)\")"
                case .bytes: assignment = "\(member) = try arena.binary(value)"
                default: assignment = "\(member) = \(cValue("value", element))"
                }
                w.line("case .\(SwiftNaming.escaped(caseName))(let value)?:")
                w.indented { w in
                    w.line("pointer.pointee.\(oneof.cCaseMember) = \(constant)")
                    w.line(assignment)
                }
            }
        }
        w.line("}")
    }

    private func lowerMapPart(
        _ member: String,
        _ value: String,
        _ element: FieldPlan.Element,
        field: String
    ) throws -> String {
        switch element {
        case .string: return "\(member) = try arena.string(\(value), field: \(field))"
        case .bytes: return "\(member) = try arena.binary(\(value))"
        case .message: return "\(member) = try arena.lower(\(value))"
        default: return "\(member) = \(cValue(value, element))"
        }
    }

    private func keyOrder(_ key: FieldPlan.Element) -> String {
        if case .bool = key { return "!$0.key && $1.key" }
        return "$0.key < $1.key"
    }

    /// A scalar Swift value as its C representation.
    private func cValue(_ value: String, _ element: FieldPlan.Element) -> String {
        switch element {
        case .bool: return "\(value) ? 1 : 0"
        case .enumeration(_, let cType, _): return "\(cType)(rawValue: .init(truncatingIfNeeded: \(value).rawValue))"
        default: return value
        }
    }

    // MARK: C → Swift

    private func lift(_ plan: FieldPlan, into w: inout CodeWriter) throws {
        let member = "pointer.pointee.\(plan.cName)"
        let count = "pointer.pointee.n_\(plan.cName)"
        let target = "self.\(plan.identifier)"
        let field = "\"\(plan.qualifiedName)\""
        switch plan.shape {
        case .singular(let element):
            w.line("\(target) = \(try swiftValue(member, element, field: field, optionalMessage: true))")
        case .repeated(let element):
            let expression: String
            switch element {
            case .number: expression = "ProtobufCLift.array(\(member), count: \(count))"
            case .bool, .enumeration:
                expression =
                    "ProtobufCLift.array(\(member), count: \(count)) { \(try swiftValue("$0", element, field: field, optionalMessage: false)) }"
            case .string: expression = "try ProtobufCLift.strings(\(member), count: \(count), field: \(field))"
            case .bytes: expression = "ProtobufCLift.binaries(\(member), count: \(count))"
            case .message(let type):
                expression = "try ProtobufCLift.messages(\(member), count: \(count), as: \(type).self)"
            }
            w.line("\(target) = \(expression)")
        case .map(let key, let value, _, _):
            try w.block("if \(count) > 0, let entries = \(member) {") { w in
                w.line("var map: [\(key.swiftType): \(value.swiftType)] = [:]")
                w.line("map.reserveCapacity(\(count))")
                try w.block("for index in 0..<\(count) {") { w in
                    w.block("guard let entry = entries[index] else {") { w in
                        w.line(
                            "throw WireError(code: .malformedMessage, message: \"map \(plan.qualifiedName) entry \\(index) is missing\")"
                        )
                    }
                    w.line(
                        "let key = \(try swiftValue("entry.pointee.key", key, field: field, optionalMessage: false))"
                    )
                    w.line(
                        "map[key] = \(try swiftValue("entry.pointee.value", value, field: field, optionalMessage: false))"
                    )
                }
                w.line("\(target) = map")
            }
        }
    }

    private func lift(_ oneof: OneofPlan, into w: inout CodeWriter) throws {
        w.line("switch pointer.pointee.\(oneof.cCaseMember) {")
        do {
            for (plan, caseName, constant) in oneof.members {
                guard case .singular(let element) = plan.shape else { continue }
                let value = try swiftValue(
                    "pointer.pointee.\(plan.cName)",
                    element,
                    field: "\"\(plan.qualifiedName)\"",
                    optionalMessage: false
                )
                w.line("case \(constant):")
                w.line("    self.\(oneof.identifier) = .\(SwiftNaming.escaped(caseName))(\(value))")
            }
            w.line("default:")
            w.line("    self.\(oneof.identifier) = nil")
        }
        w.line("}")
    }

    /// A C member as a Swift value. `optionalMessage` keeps an absent message nil; otherwise an
    /// absent message (a map value or oneof member protobuf-c left NULL) reads as the default.
    private func swiftValue(
        _ member: String,
        _ element: FieldPlan.Element,
        field: String,
        optionalMessage: Bool
    ) throws -> String {
        switch element {
        case .number: return member
        case .bool: return "\(member) != 0"
        case .enumeration(let type, _, _): return "\(type)(rawValue: Int32(truncatingIfNeeded: \(member).rawValue))"
        case .string: return "try ProtobufCLift.string(\(member), field: \(field))"
        case .bytes: return "ProtobufCLift.bytes(\(member))"
        case .message(let type):
            let lifted = "try ProtobufCLift.message(\(member), as: \(type).self)"
            return optionalMessage ? lifted : "(\(lifted) ?? \(type)())"
        }
    }
}
