/// Works out the ``FieldPlan``s and ``OneofPlan``s of a message: Swift names and types, C member
/// names, map entry types.
struct MessagePlanner {
    /// A message's stored properties in declaration order: a oneof sits where its first member is.
    enum Member {
        case field(FieldPlan)
        case oneof(OneofPlan)
    }

    let resolver: TypeResolver

    func members(of message: ProtoMessageType, scope: [ProtoMessageType]) throws -> [Member] {
        var members: [Member] = []
        var seenOneofs: Set<Int> = []
        var swiftNames: [String: String] = [:]
        for field in message.fields {
            if let index = field.oneofIndex {
                if seenOneofs.contains(index) { continue }
                seenOneofs.insert(index)
                let oneof = try oneofPlan(index: index, of: message, scope: scope)
                try claim(oneof.swiftName, for: oneof.name, in: message, names: &swiftNames)
                members.append(.oneof(oneof))
            } else {
                let plan = try fieldPlan(field, of: message, scope: scope)
                try claim(plan.swiftName, for: field.name, in: message, names: &swiftNames)
                members.append(.field(plan))
            }
        }
        return members
    }

    /// Two proto names must not become one Swift name (`call_id` and `callId` would).
    private func claim(
        _ swiftName: String,
        for protoName: String,
        in message: ProtoMessageType,
        names: inout [String: String]
    ) throws {
        if let other = names[swiftName] {
            throw ProtogenError(
                "\(message.fullName): fields \(other) and \(protoName) would both be named \(swiftName) in Swift"
            )
        }
        names[swiftName] = protoName
    }

    func fieldPlan(_ field: ProtoField, of message: ProtoMessageType, scope: [ProtoMessageType]) throws -> FieldPlan {
        let shape: FieldPlan.Shape
        if field.label == .repeated, field.kind == .message, let typeName = field.typeName,
            let entry = try resolver.symbol(typeName).message, entry.isMapEntry
        {
            guard let keyField = entry.fields.first(where: { $0.number == 1 }),
                let valueField = entry.fields.first(where: { $0.number == 2 })
            else {
                throw ProtogenError("\(message.fullName).\(field.name): map entry \(entry.fullName) lacks key or value")
            }
            let key = try element(keyField, scope: scope)
            if case .number(let type, _) = key, type == "Float" || type == "Double" {
                throw ProtogenError("\(message.fullName).\(field.name): map keys cannot be floating point")
            }
            shape = .map(
                key: key,
                value: try element(valueField, scope: scope),
                entryCType: CNaming.typeName(entry.fullName),
                entryInit: CNaming.functionPrefix(entry.fullName) + "__init"
            )
        } else if field.label == .repeated {
            shape = .repeated(try element(field, scope: scope))
        } else {
            shape = .singular(try element(field, scope: scope))
        }
        return FieldPlan(
            field: field,
            qualifiedName: message.fullName + "." + field.name,
            swiftName: SwiftNaming.lowerCamel(field.name),
            cName: CNaming.fieldName(field.name),
            shape: shape
        )
    }

    private func oneofPlan(index: Int, of message: ProtoMessageType, scope: [ProtoMessageType]) throws -> OneofPlan {
        let name = message.oneofNames[index]
        var members: [(plan: FieldPlan, caseName: String, cConstant: String)] = []
        for field in message.fields where field.oneofIndex == index {
            let plan = try fieldPlan(field, of: message, scope: scope)
            members.append(
                (
                    plan,
                    SwiftNaming.lowerCamel(field.name),
                    CNaming.oneofCaseConstant(message: message.fullName, oneof: name, field: field.name)
                )
            )
        }
        return OneofPlan(
            name: name,
            swiftName: SwiftNaming.lowerCamel(name),
            typeName: SwiftNaming.upperCamel(name),
            cCaseMember: CNaming.oneofCaseMember(name),
            members: members
        )
    }

    private func element(_ field: ProtoField, scope: [ProtoMessageType]) throws -> FieldPlan.Element {
        switch field.kind {
        case .int32, .sint32, .sfixed32: return .number(swiftType: "Int32", defaultValue: "0")
        case .int64, .sint64, .sfixed64: return .number(swiftType: "Int64", defaultValue: "0")
        case .uint32, .fixed32: return .number(swiftType: "UInt32", defaultValue: "0")
        case .uint64, .fixed64: return .number(swiftType: "UInt64", defaultValue: "0")
        case .float: return .number(swiftType: "Float", defaultValue: "0")
        case .double: return .number(swiftType: "Double", defaultValue: "0")
        case .bool: return .bool
        case .string: return .string
        case .bytes: return .bytes
        case .enumeration:
            let typeName = field.typeName ?? ""
            let symbol = try resolver.symbol(typeName)
            guard let enumeration = symbol.enumeration, let first = enumeration.values.first else {
                throw ProtogenError("field \(field.name): \(typeName) is not an enum with values")
            }
            return .enumeration(
                swiftType: try resolver.swiftType(typeName, from: scope),
                cType: symbol.cTypeName,
                defaultCase: "." + SwiftNaming.escaped(SwiftNaming.enumCase(first.name, enumName: enumeration.name))
            )
        case .message:
            return .message(swiftType: try resolver.swiftType(field.typeName ?? "", from: scope))
        case .group:
            throw ProtogenError("field \(field.name) is a group, which is not supported")
        }
    }
}
