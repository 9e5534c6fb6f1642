import Foundation
import RefundMeshAPI
import RefundMeshRPC
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The four real executables on fixed free loopback ports, each with its own data folder under
/// one temporary root, wired to each other through their `*_ADDR` settings.
final class Mesh: @unchecked Sendable {
    // @unchecked: the processes are started, killed and restarted only by the owning test.
    static let names = ["notification", "payment-channel", "review", "intake"]

    let root: URL
    let ports: [String: Int]
    private(set) var processes: [String: ServiceProcess] = [:]
    let environment: [String: String]

    init(extraEnvironment: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("refundmesh-mesh-\(UUID().uuidString)")
        var ports: [String: Int] = [:]
        for name in Self.names { ports[name] = try Self.freePort() }
        self.ports = ports
        var environment = extraEnvironment
        for (name, port) in ports {
            // A test may list more instances of a peer itself (`REVIEW_ADDR=a,b`).
            let variable = name.uppercased().replacingOccurrences(of: "-", with: "_") + "_ADDR"
            if environment[variable] == nil { environment[variable] = "127.0.0.1:\(port)" }
        }
        self.environment = environment
        for name in Self.names {
            processes[name] = try ServiceProcess(name, dataDirectory: root.appendingPathComponent(name))
        }
    }

    func start() async throws {
        for name in Self.names { try await start(name) }
    }

    func start(_ name: String) async throws {
        try await processes[name]!.start(port: ports[name]!, environment: environment)
    }

    func kill(_ name: String) async throws { try await processes[name]!.kill() }

    /// SIGTERM to every service; returns their exit statuses.
    func stop() async throws -> [String: Int32] {
        var statuses: [String: Int32] = [:]
        for name in Self.names.reversed() { statuses[name] = try await processes[name]!.stop() }
        return statuses
    }

    func client(_ name: String, signed: Bool = true) -> RPCClient { processes[name]!.client(signed: signed) }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// A port nothing listens on right now, never handed out before in this test process.
    ///
    /// The services bind it a moment later, so it must not be taken in between: ports come from
    /// below Linux's ephemeral range (32768-60999), where no other test's bind to port 0 or
    /// outgoing connection can land, and each is handed out once.
    static func freePort() throws -> Int {
        for _ in 0..<2_000 {
            let port = nextPort.withLock { next in
                defer { next = next >= 32_000 ? 20_000 : next + 1 }
                return next
            }
            if canBind(port) { return port }
        }
        throw ServiceProcessError("no free port in 20000-32000")
    }

    private static let nextPort = Mutex(20_000 + Int(getpid() % 6_000))

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        } == 0
    }
}
