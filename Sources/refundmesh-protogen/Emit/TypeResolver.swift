/// Turns proto type names into Swift type expressions for one generated file, and remembers
/// which other Swift modules the file must import.
final class TypeResolver {
    let symbols: SymbolTable
    /// The Swift module the file being generated belongs to.
    let module: String
    private(set) var importedModules: Set<String> = []

    init(symbols: SymbolTable, module: String) {
        self.symbols = symbols
        self.module = module
    }

    /// The Swift spelling of `fullName` as seen from inside `scope` (the Swift path of the
    /// enclosing type, e.g. `KitchenSink`): `Inner.Deeper`, or `Module.Type` from another module.
    /// The module is also spelled out when a nested type of `scope` would shadow the first component.
    func swiftType(_ fullName: String, from scope: [ProtoMessageType]) throws -> String {
        guard let symbol = symbols[fullName], let owner = symbol.module else {
            throw ProtogenError("type \(fullName) has no Swift module (is its package mapped with --module?)")
        }
        if owner != module {
            importedModules.insert(owner)
            return owner + "." + symbol.swiftPath
        }
        let first = symbol.swiftPath.split(separator: ".").first.map(String.init) ?? symbol.swiftPath
        let shadowed = scope.contains { enclosing in
            enclosing.messages.contains {
                SwiftNaming.escapedType($0.name) == first && !symbol.fullName.hasPrefix($0.fullName)
            }
                || enclosing.enums.contains {
                    SwiftNaming.escapedType($0.name) == first && $0.fullName != symbol.fullName
                }
                || OneofNames.typeNames(enclosing).contains(first)
        }
        return shadowed ? module + "." + symbol.swiftPath : symbol.swiftPath
    }

    func symbol(_ fullName: String) throws -> SymbolTable.Symbol {
        guard let symbol = symbols[fullName] else { throw ProtogenError("unknown type \(fullName)") }
        return symbol
    }
}

enum OneofNames {
    /// The nested enum names generated for a message's oneofs (`Choice`).
    static func typeNames(_ message: ProtoMessageType) -> [String] {
        message.oneofNames.map { SwiftNaming.escapedType(SwiftNaming.upperCamel($0)) }
    }
}
