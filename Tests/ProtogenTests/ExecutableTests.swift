import Foundation
import Testing

/// Runs the built `refundmesh-protogen` binary, as scripts/generate-protos.sh does.
@Suite("refundmesh-protogen executable")
struct ExecutableTests {
    /// The products folder holds the test bundle and the executable side by side.
    private static var executable: String? {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = bundle.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("refundmesh-protogen").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    @Test("a recursive schema exits non-zero with a message naming the type; stale files are kept")
    func refusesRecursion() throws {
        let executable = try #require(Self.executable, "build the refundmesh-protogen product first")
        let compiler = try ProtoCompiler()
        defer { compiler.remove() }
        _ = try compiler.compile([
            "t.proto": "syntax = \"proto3\"; package t.v1; message Loop { repeated Loop again = 1; }"
        ])
        let output = compiler.directory.appendingPathComponent("out")
        let result = try ProtoCompiler.run(
            executable,
            [
                "--descriptor-set", compiler.directory.appendingPathComponent("set.desc").path,
                "--module", "t.v1=T:\(output.path)",
            ]
        )
        #expect(result.status != 0)
        #expect(result.stderr.contains("recursive message type t.v1.Loop"))
    }

    @Test("writes files, deletes stale ones, and reruns byte-identically")
    func writesAndCleans() throws {
        let executable = try #require(Self.executable, "build the refundmesh-protogen product first")
        let compiler = try ProtoCompiler()
        defer { compiler.remove() }
        _ = try compiler.compile([
            "a/b.proto":
                "syntax = \"proto3\"; package t.v1; message M { string s = 1; } service S { rpc Go(M) returns (M); }"
        ])
        let output = compiler.directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try "stale".write(to: output.appendingPathComponent("old.pb.swift"), atomically: true, encoding: .utf8)
        try "keep".write(to: output.appendingPathComponent("Helper.swift"), atomically: true, encoding: .utf8)
        let arguments = [
            "--descriptor-set", compiler.directory.appendingPathComponent("set.desc").path, "--module",
            "t.v1=T:\(output.path)",
        ]

        #expect(try ProtoCompiler.run(executable, arguments).status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
        #expect(names == ["Helper.swift", "a_b.pb.swift", "a_b.rpc.swift"])
        let first = try Data(contentsOf: output.appendingPathComponent("a_b.pb.swift"))
        #expect(try ProtoCompiler.run(executable, arguments).status == 0)
        #expect(try Data(contentsOf: output.appendingPathComponent("a_b.pb.swift")) == first)
    }
}
