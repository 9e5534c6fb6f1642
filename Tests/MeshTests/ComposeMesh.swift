import Foundation
import RefundMeshRPC

/// docker-compose.yml as docker-compose itself reads it (`docker-compose config`: env files
/// merged into each service's `environment`), and the real binaries started with exactly that
/// environment.
///
/// Only what cannot exist outside Docker is rewritten, and the same way for every value:
/// a compose service name with a port (`review:7002`, `http://provider-sandbox:7080`) becomes
/// 127.0.0.1 with a free port (each service's `*_PORT` settings get one), a bind address of
/// 0.0.0.0 becomes 127.0.0.1, and a volume's mount point (`/data`, `/sandbox`) becomes a
/// temporary folder standing for that volume. Nothing else is set.
final class ComposeMesh: @unchecked Sendable {
    // @unchecked: processes are started and stopped only by the owning test.

    /// The one-shot services that must finish first (`service_completed_successfully`).
    static let initOrder = ["keys"]
    /// The long-running services, in the order compose's `depends_on` starts them.
    static let startOrder = ["provider-sandbox", "notification", "payment-channel", "review", "intake"]

    struct Service {
        var name: String
        var product: String
        var command: [String]
        var environment: [String: String]
        var healthcheck: [String]
    }

    let root: URL
    let services: [String: Service]
    /// (service, container port) → the loopback port standing for it.
    let ports: [String: [Int: Int]]
    private var processes: [String: Process] = [:]

    init() async throws {
        let compose = try await Self.loadCompose()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("refundmesh-compose-\(UUID().uuidString)")
        let definitions = compose["services"] as? [String: Any] ?? [:]
        var ports: [String: [Int: Int]] = [:]
        for (name, value) in definitions {
            let definition = value as? [String: Any] ?? [:]
            let environment = definition["environment"] as? [String: String] ?? [:]
            for (key, text) in environment where key.hasSuffix("_PORT") {
                if let port = Int(text), port > 0, ports[name]?[port] == nil {
                    ports[name, default: [:]][port] = try Mesh.freePort()
                }
            }
        }
        self.ports = ports
        var services: [String: Service] = [:]
        for (name, value) in definitions {
            let definition = value as? [String: Any] ?? [:]
            var mounts: [String: URL] = [:]
            for volume in definition["volumes"] as? [Any] ?? [] {
                let (source, target) = Self.volume(volume)
                guard let source, let target else { continue }
                mounts[target] = root.appendingPathComponent(source)
            }
            for folder in mounts.values {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            var environment: [String: String] = [:]
            for (key, text) in definition["environment"] as? [String: String] ?? [:] {
                if key.hasSuffix("_PORT"), let port = Int(text), let local = ports[name]?[port] {
                    environment[key] = "\(local)"  // the service's own port
                } else {
                    environment[key] = Self.rewrite(text, ports: ports, mounts: mounts)
                }
            }
            let build = definition["build"] as? [String: Any]
            let product = (build?["args"] as? [String: String])?["PRODUCT"] ?? name
            let healthcheck = (definition["healthcheck"] as? [String: Any])?["test"] as? [String] ?? []
            services[name] = Service(
                name: name,
                product: product,
                // Arguments name container paths too (`--dir /keys`).
                command: (definition["command"] as? [String] ?? []).map {
                    Self.rewrite($0, ports: ports, mounts: mounts)
                },
                environment: environment,
                healthcheck: healthcheck
            )
        }
        self.services = services
    }

    deinit {
        for process in processes.values where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: root)
    }

    /// The path of a built product (the image's /usr/local/bin/service).
    static func binary(_ product: String) -> String {
        ServiceProcess.productsDirectory.appendingPathComponent(product).path
    }

    /// The process environment: compose's, plus what the image's base gives every process.
    func processEnvironment(_ name: String) -> [String: String] {
        var environment = services[name]!.environment
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        environment["HOME"] = root.path
        return environment
    }

    func logFile(_ name: String) -> URL { root.appendingPathComponent("\(name).log") }

    /// Starts `name` as its image's entrypoint would, and waits for its "listening on" line.
    func start(_ name: String) async throws {
        let service = services[name]!
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary(service.product))
        process.arguments = service.command
        process.environment = processEnvironment(name)
        _ = FileManager.default.createFile(atPath: logFile(name).path, contents: nil)
        let output = try FileHandle(forWritingTo: logFile(name))
        process.standardOutput = output
        process.standardError = output
        try process.run()
        processes[name] = process
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: logFile(name), encoding: .utf8)) ?? ""
            if text.split(separator: "\n").contains(where: { $0.hasPrefix("\(name) listening on") }) { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServiceProcessError(
            "\(name) did not start:\n\((try? String(contentsOf: logFile(name), encoding: .utf8)) ?? "")"
        )
    }

    /// Runs a one-shot service (`keys`) to its end, as `depends_on: service_completed_successfully`
    /// does before the services start.
    func runToCompletion(_ name: String) async throws -> (status: Int32, output: String) {
        let service = services[name]!
        return try await runProcess(
            Self.binary(service.product),
            service.command,
            environment: processEnvironment(name)
        )
    }

    /// Runs the service's compose healthcheck (`CMD /usr/local/bin/service healthcheck`).
    func healthcheck(_ name: String) async throws -> (status: Int32, output: String) {
        let test = services[name]!.healthcheck
        guard test.count >= 2, test[0] == "CMD", test[1] == "/usr/local/bin/service" else {
            throw ServiceProcessError("\(name)'s healthcheck is not CMD /usr/local/bin/service …: \(test)")
        }
        return try await runProcess(
            Self.binary(services[name]!.product),
            Array(test.dropFirst(2)),
            environment: processEnvironment(name)
        )
    }

    /// SIGTERM, then the exit status.
    func stop(_ name: String) async throws -> Int32 {
        guard let process = processes[name] else { return 0 }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(40)
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw ServiceProcessError("\(name) did not exit") }
            try await Task.sleep(for: .milliseconds(20))
        }
        processes[name] = nil
        return process.terminationStatus
    }

    /// A client of `name`'s RPC port (`<PREFIX>_PORT`).
    func client(_ name: String) -> RPCClient {
        let prefix = name.uppercased().replacingOccurrences(of: "-", with: "_")
        let port = Int(services[name]!.environment["\(prefix)_PORT"] ?? "0") ?? 0
        return RPCClient(host: "127.0.0.1", port: port)
    }

    // MARK: Reading and rewriting

    static func loadCompose() async throws -> [String: Any] {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let config = try await runProcess(
            "/usr/bin/env",
            ["docker-compose", "-f", repository.appendingPathComponent("docker-compose.yml").path, "config"]
        )
        guard config.status == 0 else {
            throw ServiceProcessError(
                "docker-compose config failed (apt-get install docker-compose):\n\(config.output)"
            )
        }
        // docker-compose's own YAML reader (python3-yaml, its dependency) turns it into JSON.
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString).yml")
        try config.output.write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        let json = try await runProcess(
            "/usr/bin/python3",
            ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", input.path]
        )
        guard json.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        else {
            throw ServiceProcessError("could not read docker-compose config's output:\n\(json.output)")
        }
        return object
    }

    /// `name:/target[:mode]` or the long form, as (volume name, mount point).
    static func volume(_ value: Any) -> (String?, String?) {
        if let text = value as? String {
            let parts = text.split(separator: ":").map(String.init)
            return parts.count >= 2 ? (parts[0], parts[1]) : (nil, nil)
        }
        let long = value as? [String: Any]
        return (long?["source"] as? String, long?["target"] as? String)
    }

    static func rewrite(_ value: String, ports: [String: [Int: Int]], mounts: [String: URL]) -> String {
        if value == "0.0.0.0" { return "127.0.0.1" }
        for (target, folder) in mounts where value == target || value.hasPrefix(target + "/") {
            return folder.path + value.dropFirst(target.count)
        }
        // A command argument or setting of the form NAME=PATH (`--export intake=/export/intake`).
        if let equals = value.firstIndex(of: "="), value[value.index(after: equals)...].hasPrefix("/") {
            let path = String(value[value.index(after: equals)...])
            let rewritten = rewrite(path, ports: ports, mounts: mounts)
            if rewritten != path { return String(value[...equals]) + rewritten }
        }
        var text = value
        for (service, map) in ports {
            for (container, local) in map {
                let pattern =
                    "(^|[^A-Za-z0-9-])\(NSRegularExpression.escapedPattern(for: service)):\(container)(?![0-9])"
                let regex = try! NSRegularExpression(pattern: pattern)
                text = regex.stringByReplacingMatches(
                    in: text,
                    range: NSRange(text.startIndex..., in: text),
                    withTemplate: "$1127.0.0.1:\(local)"
                )
            }
        }
        return text
    }
}
