/// Which proto packages are generated, into which Swift module and folder
/// (`--module refundmesh.health.v1=RefundMeshRPC:Sources/RefundMeshRPC/Generated`).
struct ModuleMap: Equatable {
    struct Target: Equatable {
        var module: String
        var outputDirectory: String
    }

    private(set) var targets: [String: Target] = [:]

    init() {}

    /// Parses `--module` values.
    /// - Throws: ``ProtogenError`` for a value not shaped `PACKAGE=MODULE:DIR` or a package given twice.
    init(arguments: [String]) throws {
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw ProtogenError("--module \(argument): expected PROTO_PACKAGE=SWIFT_MODULE:OUTPUT_DIR")
            }
            let package = String(argument[..<equals])
            let rest = argument[argument.index(after: equals)...]
            guard let colon = rest.firstIndex(of: ":") else {
                throw ProtogenError("--module \(argument): expected PROTO_PACKAGE=SWIFT_MODULE:OUTPUT_DIR")
            }
            let module = String(rest[..<colon])
            let directory = String(rest[rest.index(after: colon)...])
            guard !package.isEmpty, !module.isEmpty, !directory.isEmpty else {
                throw ProtogenError("--module \(argument): package, module and directory must all be non-empty")
            }
            guard targets[package] == nil else {
                throw ProtogenError("--module: package \(package) is mapped twice")
            }
            targets[package] = Target(module: module, outputDirectory: directory)
        }
    }

    mutating func map(package: String, module: String, outputDirectory: String) {
        targets[package] = Target(module: module, outputDirectory: outputDirectory)
    }

    func target(forPackage package: String) -> Target? { targets[package] }
}
