/// Emits a proto enum as a Swift enum that keeps unknown values (`case unrecognized(Int32)`),
/// so a newer peer's values round-trip instead of failing.
struct EnumEmitter {
    func emit(_ enumeration: ProtoEnum, into writer: inout CodeWriter) throws {
        guard let first = enumeration.values.first else {
            throw ProtogenError("enum \(enumeration.fullName) has no values")
        }
        // The first value per number is the case; later ones (allow_alias) become static aliases.
        var cases: [(name: String, value: ProtoEnum.Value)] = []
        var aliases: [(name: String, target: String, value: ProtoEnum.Value)] = []
        var byNumber: [Int32: String] = [:]
        var names: Set<String> = ["unrecognized"]
        for value in enumeration.values {
            let name = SwiftNaming.enumCase(value.name, enumName: enumeration.name)
            guard names.insert(name).inserted else {
                throw ProtogenError(
                    "enum \(enumeration.fullName): value \(value.name) would be named \(name) in Swift, which is taken"
                )
            }
            if let target = byNumber[value.number] {
                aliases.append((name, target, value))
            } else {
                byNumber[value.number] = name
                cases.append((name, value))
            }
        }
        let typeName = SwiftNaming.escapedType(enumeration.name)
        let defaultCase = SwiftNaming.escaped(SwiftNaming.enumCase(first.name, enumName: enumeration.name))

        writer.doc(enumeration.comment)
        writer.block("public enum \(typeName): Sendable, Hashable {") { w in
            for (name, value) in cases {
                w.doc(value.comment)
                w.line("case \(SwiftNaming.escaped(name))")
            }
            w.line("/// A value this schema does not name (e.g. from a newer peer); it round-trips unchanged.")
            w.line("case unrecognized(Int32)")
            for (name, target, value) in aliases {
                w.line()
                w.doc(value.comment)
                w.line("public static let \(SwiftNaming.escaped(name)): \(typeName) = .\(SwiftNaming.escaped(target))")
            }
            w.line()
            w.line("/// The default: `\(first.name)`.")
            w.line("public init() { self = .\(defaultCase) }")
            w.line()
            w.block("public init(rawValue: Int32) {") { w in
                w.line("switch rawValue {")
                for (name, value) in cases {
                    w.line("case \(value.number): self = .\(SwiftNaming.escaped(name))")
                }
                w.line("default: self = .unrecognized(rawValue)")
                w.line("}")
            }
            w.line()
            w.block("public var rawValue: Int32 {") { w in
                w.line("switch self {")
                for (name, value) in cases {
                    w.line("case .\(SwiftNaming.escaped(name)): return \(value.number)")
                }
                w.line("case .unrecognized(let value): return value")
                w.line("}")
            }
            w.line()
            w.line("/// Equal by number, so `.unrecognized(n)` equals the case that names `n`.")
            w.line("public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }")
            w.line()
            w.line("public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }")
        }
    }
}
