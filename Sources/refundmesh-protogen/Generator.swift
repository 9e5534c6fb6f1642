/// One output file.
struct GeneratedFile: Equatable {
    var directory: String
    /// e.g. `refundmesh_health_v1_health.rpc.swift`
    var name: String
    var contents: String

    var path: String { directory + "/" + name }
}

/// Turns a decoded descriptor set into Swift sources. Pure: ``OutputWriter`` puts them on disk.
enum Generator {
    static func generate(files: [ProtoFile], modules: ModuleMap) throws -> [GeneratedFile] {
        let symbols = SymbolTable(files: files, modules: modules)
        let generating = files.filter { modules.target(forPackage: $0.package) != nil }.sorted { $0.path < $1.path }
        try SchemaValidator.validate(files: files, generating: generating, symbols: symbols)
        try refuseTopLevelClashes(generating, modules: modules)

        var output: [GeneratedFile] = []
        for file in generating {
            guard let target = modules.target(forPackage: file.package) else { continue }
            let emitter = FileEmitter(symbols: symbols, module: target.module)
            let base = FileEmitter.flattenedName(file.path)
            output.append(
                GeneratedFile(
                    directory: target.outputDirectory,
                    name: base + ".pb.swift",
                    contents: try emitter.messagesFile(file)
                )
            )
            if let services = try emitter.servicesFile(file) {
                output.append(
                    GeneratedFile(directory: target.outputDirectory, name: base + ".rpc.swift", contents: services)
                )
            }
        }
        var paths: Set<String> = []
        for file in output where !paths.insert(file.path).inserted {
            throw ProtogenError("two .proto files would both generate \(file.path)")
        }
        return output
    }

    /// Top-level messages, enums and service namespaces share one Swift namespace per module.
    private static func refuseTopLevelClashes(_ files: [ProtoFile], modules: ModuleMap) throws {
        var owners: [String: String] = [:]
        for file in files {
            guard let module = modules.target(forPackage: file.package)?.module else { continue }
            let names =
                file.messages.map { ($0.name, $0.fullName) } + file.enums.map { ($0.name, $0.fullName) }
                + file.services.map { ($0.name, $0.fullName) }
            for (name, fullName) in names {
                let key = module + "." + name
                if let other = owners[key] {
                    throw ProtogenError("\(fullName) and \(other) would both be \(key) in Swift")
                }
                owners[key] = fullName
            }
        }
    }
}
