/// Emits a message as a Swift struct (nested messages and enums as nested types), with a
/// memberwise initialiser whose every parameter has the field's default.
struct MessageEmitter {
    let resolver: TypeResolver

    func emit(_ message: ProtoMessageType, scope: [ProtoMessageType], into writer: inout CodeWriter) throws {
        let scope = scope + [message]
        let members = try MessagePlanner(resolver: resolver).members(of: message, scope: scope)
        try refuseNameClashes(message)

        writer.doc(message.comment)
        try writer.block("public struct \(SwiftNaming.escapedType(message.name)): Sendable, Hashable {") { w in
            for member in members {
                switch member {
                case .field(let plan):
                    w.doc(plan.field.comment)
                    w.line("public var \(plan.identifier): \(plan.swiftType) = \(plan.defaultValue)")
                case .oneof(let oneof):
                    w.line("public var \(oneof.identifier): \(oneof.typeName)? = nil")
                }
            }
            if !members.isEmpty { w.line() }

            for case .oneof(let oneof) in members {
                try emitOneofType(oneof, into: &w)
                w.line()
            }

            w.line("public init() {}")
            if !members.isEmpty {
                w.line()
                emitMemberwiseInit(members, into: &w)
            }

            for nested in message.enums {
                w.line()
                try EnumEmitter().emit(nested, into: &w)
            }
            for nested in message.messages where !nested.isMapEntry {
                w.line()
                try emit(nested, scope: scope, into: &w)
            }
        }
    }

    private func emitOneofType(_ oneof: OneofPlan, into writer: inout CodeWriter) throws {
        try writer.block("public enum \(oneof.typeName): Sendable, Hashable {") { w in
            for member in oneof.members {
                w.doc(member.plan.field.comment)
                guard case .singular(let element) = member.plan.shape else {
                    throw ProtogenError("\(member.plan.qualifiedName): a oneof member cannot be repeated")
                }
                w.line("case \(SwiftNaming.escaped(member.caseName))(\(element.swiftType))")
            }
        }
    }

    private func emitMemberwiseInit(_ members: [MessagePlanner.Member], into writer: inout CodeWriter) {
        let parameters = members.map { member -> String in
            switch member {
            case .field(let plan): return "\(plan.identifier): \(plan.swiftType) = \(plan.defaultValue)"
            case .oneof(let oneof): return "\(oneof.identifier): \(oneof.typeName)? = nil"
            }
        }
        writer.line("public init(")
        for (index, parameter) in parameters.enumerated() {
            writer.line("    " + parameter + (index == parameters.count - 1 ? "" : ","))
        }
        writer.block(") {") { w in
            for member in members {
                switch member {
                case .field(let plan): w.line("self.\(plan.identifier) = \(plan.identifier)")
                case .oneof(let oneof): w.line("self.\(oneof.identifier) = \(oneof.identifier)")
                }
            }
        }
    }

    /// Nested type names must not collide with each other or with the oneof enums.
    private func refuseNameClashes(_ message: ProtoMessageType) throws {
        var seen: Set<String> = []
        let names =
            message.messages.filter { !$0.isMapEntry }.map(\.name) + message.enums.map(\.name)
            + OneofNames.typeNames(message)
        for name in names where !seen.insert(name).inserted {
            throw ProtogenError("\(message.fullName): two nested Swift types would be named \(name)")
        }
    }
}
