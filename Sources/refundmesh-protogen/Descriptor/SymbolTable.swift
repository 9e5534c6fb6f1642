/// Every message and enum of a descriptor set by fully qualified name, with the Swift and C
/// names generated code uses for it.
struct SymbolTable {
    enum Kind: Equatable { case message, enumeration }

    struct Symbol {
        var kind: Kind
        var fullName: String
        /// The Swift path inside its module: `Inner.Deeper`.
        var swiftPath: String
        /// The Swift module that holds it; nil when its package is not generated.
        var module: String?
        var protoFile: String
        /// Set for messages.
        var message: ProtoMessageType?
        /// Set for enums.
        var enumeration: ProtoEnum?
        /// Declared at file level (protoc-c emits pack/unpack functions only for these).
        var isTopLevel: Bool

        var cTypeName: String { CNaming.typeName(fullName) }
        var cFunctionPrefix: String { CNaming.functionPrefix(fullName) }
    }

    private(set) var symbols: [String: Symbol] = [:]

    init(files: [ProtoFile], modules: ModuleMap) {
        for file in files {
            let module = modules.target(forPackage: file.package)?.module
            for message in file.messages {
                addMessage(message, parentPath: nil, module: module, file: file.path)
            }
            for enumeration in file.enums {
                add(enumeration, parentPath: nil, module: module, file: file.path)
            }
        }
    }

    subscript(fullName: String) -> Symbol? { symbols[fullName] }

    private mutating func addMessage(_ message: ProtoMessageType, parentPath: String?, module: String?, file: String) {
        let path =
            parentPath.map { $0 + "." + SwiftNaming.escapedType(message.name) } ?? SwiftNaming.escapedType(message.name)
        symbols[message.fullName] = Symbol(
            kind: .message,
            fullName: message.fullName,
            swiftPath: path,
            module: module,
            protoFile: file,
            message: message,
            enumeration: nil,
            isTopLevel: parentPath == nil
        )
        for nested in message.messages {
            addMessage(nested, parentPath: path, module: module, file: file)
        }
        for nested in message.enums {
            add(nested, parentPath: path, module: module, file: file)
        }
    }

    private mutating func add(_ enumeration: ProtoEnum, parentPath: String?, module: String?, file: String) {
        let path =
            parentPath.map { $0 + "." + SwiftNaming.escapedType(enumeration.name) }
            ?? SwiftNaming.escapedType(enumeration.name)
        symbols[enumeration.fullName] = Symbol(
            kind: .enumeration,
            fullName: enumeration.fullName,
            swiftPath: path,
            module: module,
            protoFile: file,
            message: nil,
            enumeration: enumeration,
            isTopLevel: parentPath == nil
        )
    }
}
