/// Refuses schemas the generated code cannot carry safely, with a message that names the file,
/// type or field at fault.
///
/// - proto3 only: protobuf-c's proto2 presence (`has_` members, defaults) is not modelled.
/// - No recursive messages: protobuf-c's unpack recurses once per nesting level without a limit,
///   so a recursive schema would let a peer exhaust the stack with a small message.
/// - No groups, proto3 `optional` or extensions: protoc-c or this bridge cannot represent them.
enum SchemaValidator {
    static func validate(files: [ProtoFile], generating: [ProtoFile], symbols: SymbolTable) throws {
        for file in generating {
            guard file.syntax == "proto3" else {
                throw ProtogenError(
                    "\(file.path): syntax \"\(file.syntax)\" is not supported; refundmesh-protogen generates proto3 files only"
                )
            }
            if let name = file.extensionNames.first {
                throw ProtogenError("\(file.path): extension \(name) is not supported (extensions are refused)")
            }
            for message in file.messages {
                try validate(message, in: file, symbols: symbols)
            }
            for service in file.services {
                for method in service.methods {
                    for type in [method.inputType, method.outputType] {
                        guard let symbol = symbols[type], symbol.kind == .message else {
                            throw ProtogenError(
                                "\(file.path): \(service.fullName).\(method.name) uses unknown message type \(type)"
                            )
                        }
                        guard symbol.module != nil else {
                            throw ProtogenError(
                                "\(file.path): \(service.fullName).\(method.name) uses \(type) from \(symbol.protoFile), whose package has no --module mapping"
                            )
                        }
                    }
                }
            }
        }
        try refuseRecursion(generating: generating, symbols: symbols)
    }

    private static func validate(_ message: ProtoMessageType, in file: ProtoFile, symbols: SymbolTable) throws {
        if let name = message.extensionNames.first {
            throw ProtogenError("\(file.path): extension \(name) is not supported (extensions are refused)")
        }
        if message.hasExtensionRanges {
            throw ProtogenError(
                "\(file.path): message \(message.fullName) declares extension ranges, which are not supported"
            )
        }
        for field in message.fields {
            let name = "\(message.fullName).\(field.name)"
            if field.kind == .group {
                throw ProtogenError("\(file.path): field \(name) is a group, which is not supported")
            }
            if field.isProto3Optional {
                throw ProtogenError(
                    "\(file.path): field \(name) is proto3 `optional`, which protoc-c does not support; use a wrapper message or a oneof"
                )
            }
            if field.label == .required {
                throw ProtogenError("\(file.path): field \(name) is `required`, which proto3 does not have")
            }
            if field.kind == .message || field.kind == .enumeration {
                guard let typeName = field.typeName, let symbol = symbols[typeName] else {
                    throw ProtogenError("\(file.path): field \(name) has unknown type \(field.typeName ?? "?")")
                }
                if symbol.module == nil {
                    throw ProtogenError(
                        "\(file.path): field \(name) uses \(typeName) from \(symbol.protoFile), whose package has no --module mapping"
                    )
                }
            }
        }
        for nested in message.messages {
            try validate(nested, in: file, symbols: symbols)
        }
    }

    /// Depth-first search for a cycle through message-typed fields (singular, repeated, map values
    /// through their entry types, and oneof members alike).
    private static func refuseRecursion(generating: [ProtoFile], symbols: SymbolTable) throws {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var stack: [(message: String, field: String)] = []

        func visit(_ fullName: String) throws {
            if marks[fullName] == .done { return }
            marks[fullName] = .visiting
            guard let message = symbols[fullName]?.message else {
                marks[fullName] = .done
                return
            }
            for field in message.fields where field.kind == .message {
                guard let target = field.typeName else { continue }
                stack.append((fullName, field.name))
                if marks[target] == .visiting {
                    let start = stack.firstIndex { $0.message == target } ?? 0
                    let cycle = stack[start...].map { "\($0.message).\($0.field)" }.joined(separator: " → ")
                    throw ProtogenError(
                        "recursive message type \(target): \(cycle) → \(target). protobuf-c unpacks nested "
                            + "messages recursively without a depth limit, so the schema must bound the depth"
                    )
                }
                try visit(target)
                stack.removeLast()
            }
            marks[fullName] = .done
        }

        for file in generating {
            for name in allMessageNames(file.messages) {
                try visit(name)
            }
        }
    }

    private static func allMessageNames(_ messages: [ProtoMessageType]) -> [String] {
        messages.flatMap { [$0.fullName] + allMessageNames($0.messages) }
    }
}
