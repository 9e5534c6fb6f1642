import ArgumentParser

/// `refundmesh-protogen`: Swift messages, protobuf-c bridges and RPC stubs from a descriptor set.
///
/// Run by `scripts/generate-protos.sh`; see that script for the module mapping of each package.
@main
struct RefundMeshProtogen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refundmesh-protogen",
        abstract: "Generates Swift messages, protobuf-c bridges and RPC stubs from a FileDescriptorSet."
    )

    @Option(help: "A FileDescriptorSet from protoc --include_imports --include_source_info --descriptor_set_out.")
    var descriptorSet: String

    @Option(
        name: .customLong("module"),
        help: "PROTO_PACKAGE=SWIFT_MODULE:OUTPUT_DIR; files of unmapped packages are not generated."
    )
    var modules: [String] = []

    func run() throws {
        let modules = try ModuleMap(arguments: modules)
        let files = try DescriptorSetReader.read(path: descriptorSet)
        let generated = try Generator.generate(files: files, modules: modules)
        try OutputWriter.write(generated, directories: modules.targets.values.map(\.outputDirectory))
    }
}
