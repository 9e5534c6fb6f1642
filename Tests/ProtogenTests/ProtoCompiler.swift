import Foundation

@testable import refundmesh_protogen

/// Writes .proto files to a temporary folder and runs protoc on them, as
/// scripts/generate-protos.sh does, so tests feed the generator real descriptor sets.
struct ProtoCompiler {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("protogen-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Compiles `files` (path → source); returns the decoded set, or protoc's stderr as an error.
    func compile(_ files: [String: String]) throws -> [ProtoFile] {
        for (path, source) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try source.write(to: url, atomically: true, encoding: .utf8)
        }
        let output = directory.appendingPathComponent("set.desc").path
        let result = try Self.run(
            "/usr/bin/env",
            [
                "protoc", "--include_imports", "--include_source_info", "--descriptor_set_out=\(output)",
                "-I\(directory.path)",
            ]
                + files.keys.sorted()
        )
        guard result.status == 0 else { throw ProtogenError("protoc failed: \(result.stderr)") }
        return try DescriptorSetReader.read(path: output)
    }

    static func run(
        _ executable: String,
        _ arguments: [String]
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self)
        )
    }
}
