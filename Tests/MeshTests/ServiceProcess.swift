import Foundation
import RefundMeshRPC

/// One real RefundMesh executable started for a test: its own port (0, read back from its
/// "listening on" line), its own data folder, its output in a log file.
final class ServiceProcess: @unchecked Sendable {
    // @unchecked: `process` is only started and signalled from the test that owns this object.
    let name: String
    let dataDirectory: URL
    let logFile: URL
    private(set) var port = 0
    private var process: Process?
    /// The temporary folder this object made, removed when it goes away.
    private let ownedRoot: URL?

    /// The folder holding the package's built executables (beside the test bundle).
    static var productsDirectory: URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory
    }

    init(_ name: String, dataDirectory: URL? = nil) throws {
        self.name = name
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "refundmesh-tests-\(UUID().uuidString)"
        )
        self.ownedRoot = dataDirectory == nil ? root : nil
        self.dataDirectory = dataDirectory ?? root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: self.dataDirectory, withIntermediateDirectories: true)
        self.logFile = self.dataDirectory.appendingPathComponent("\(name).log")
    }

    /// Starts the executable and waits for its "listening on" line.
    func start(port: Int = 0, environment extra: [String: String] = [:]) async throws {
        let executable = Self.productsDirectory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw ServiceProcessError("\(executable.path) is not built")
        }
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: logFile)
        let process = Process()
        process.executableURL = executable
        // Metrics on any free port: meshes of parallel tests must not meet on the standard ones.
        process.arguments = ["--port", "\(port)", "--metrics-port", "0", "--data-dir", dataDirectory.path]
        var environment = ProcessInfo.processInfo.environment
        environment["REFUNDMESH_LOG_LEVEL"] = "notice"
        environment["REFUNDMESH_AUTH_DIR"] = TestKeys.directory
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
        self.process = process
        // Generous: parallel tests on a loaded 2-core machine slow starts tenfold.
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: logFile, encoding: .utf8),
                // Its own line, not an HTTP server's (the metrics endpoint logs "listening on" too).
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("\(name) listening on") }),
                let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...])
            {
                self.port = port
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        throw ServiceProcessError("\(name) did not start listening:\n\(log)")
    }

    /// Whether the process is running.
    var isRunning: Bool { process?.isRunning ?? false }

    /// SIGTERM, then waits; returns the exit status.
    @discardableResult
    func stop() async throws -> Int32 {
        guard let process else { return 0 }
        process.terminate()
        return try await waitForExit(process)
    }

    /// SIGKILL: the process dies where it stands, as in a crash.
    func kill() async throws {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = try await waitForExit(process)
    }

    private func waitForExit(_ process: Process) async throws -> Int32 {
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw ServiceProcessError("\(name) did not exit") }
            try await Task.sleep(for: .milliseconds(10))
        }
        self.process = nil
        return process.terminationStatus
    }

    /// A client for this process's port, signing each call with the tests' key set unless
    /// `signed` is false (then calls carry only the tokens a test puts in their metadata).
    func client(signed: Bool = true) -> RPCClient {
        var configuration = RPCClient.Configuration(endpoints: [Endpoint(host: "127.0.0.1", port: port)])
        configuration.backoff.initial = .milliseconds(20)
        configuration.backoff.maximum = .milliseconds(200)
        if signed { configuration.interceptors = [TestKeys.credentials()] }
        return RPCClient(configuration: configuration)
    }

    deinit {
        if let process, process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if let ownedRoot { try? FileManager.default.removeItem(at: ownedRoot) }
    }
}

struct ServiceProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
