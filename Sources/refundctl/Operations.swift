import ArgumentParser
import Foundation
import RefundMeshRPC

/// `refundctl status`: each service's health, version, uptime, memory, drain state and outbox.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each service's health, version, uptime, memory, drain state and outbox backlog."
    )

    @OptionGroup var mesh: MeshAddresses

    func run() async throws {
        let clients = try MeshClients(mesh)
        defer { Task { await clients.close() } }
        var healthy = true
        print(Self.row(["service", "address", "health", "version", "uptime", "rss", "outbox"]))
        for (name, address) in mesh.all {
            let rpc = clients.rpc[name]!
            do {
                let health = try await RefundMeshRPC.Health.Client(rpc).check(
                    HealthCheckRequest(),
                    options: CallOptions(timeout: .seconds(3))
                )
                let status = try await Operations.Client(rpc).status(
                    StatusRequest(),
                    options: CallOptions(timeout: .seconds(5))
                )
                let state = status.draining ? "DRAINED" : "\(health.status)".uppercased()
                let pending = status.outbox.reduce(0) { $0 + $1.pending }
                let failing = status.outbox.reduce(0) { $0 + $1.failing }
                let oldest = status.outbox.map(\.oldestPendingAgeMs).max() ?? 0
                var outbox = "\(pending) pending, \(failing) failing"
                if pending > 0 { outbox += ", oldest \(Format.age(ms: oldest))" }
                let uptime = Format.age(ms: Self.nowMs() - status.startedAtMs)
                print(
                    Self.row([name, address, state, status.version, uptime, Format.bytes(status.residentBytes), outbox])
                )
                healthy = healthy && health.status == .serving && !status.draining
            } catch {
                print(Self.row([name, address, "DOWN", "\(error)"]))
                healthy = false
            }
        }
        await clients.close()
        if !healthy { throw ExitCode(1) }
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static let widths = [16, 22, 13, 9, 10, 9]

    /// Cells padded to the table's columns; the last cell runs on.
    static func row(_ cells: [String]) -> String {
        var line = ""
        for (index, cell) in cells.enumerated() {
            line += index < widths.count && index < cells.count - 1 ? cell.padding(to: widths[index]) : cell
        }
        return line
    }
}

/// `refundctl drain <service>`: take a service out of rotation, optionally stop it.
struct DrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Drain a service: health NOT_SERVING, new calls refused UNAVAILABLE (clients go elsewhere).",
        discussion: """
            --exit then stops the process gracefully once in-flight calls and outbox deliveries end (as SIGTERM);
            --resume undoes a drain. Health, discovery and operations calls are always served.
            """
    )

    @OptionGroup var mesh: MeshAddresses
    @Argument(help: "intake, review, payment-channel or notification.")
    var service: String
    @Flag(help: "Stop the process once drained.")
    var exit = false
    @Flag(help: "Serve again.")
    var resume = false

    func run() async throws {
        let clients = try MeshClients(mesh)
        let rpc = try clients.client(for: service)
        let answer = try await Operations.Client(rpc).drain(DrainRequest(exit: exit, resume: resume))
        await clients.close()
        if !answer.draining {
            print("\(service): serving again")
        } else {
            print(
                "\(service): drained (\(answer.inFlightCalls) calls were in flight)"
                    + (answer.exiting
                        ? "; stopping once they finish" : "; `refundctl drain --resume \(service)` undoes it")
            )
        }
    }
}

/// `refundctl outbox`: every service's outbox backlog and its oldest (or failing) messages.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "List each service's outbox backlog by destination, and the oldest pending messages.",
        discussion: "Messages are retried until delivered; failing ones show their attempts and last error."
    )

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "Only this service.")
    var service: String?
    @Option(help: "Only messages to this destination.")
    var destination: String?
    @Flag(help: "Only messages that have failed at least once.")
    var failing = false
    @Option(help: "Messages to list per service.")
    var limit: Int = 10

    func run() async throws {
        let clients = try MeshClients(mesh)
        let names =
            try service.map { name in
                _ = try clients.client(for: name)
                return [name]
            } ?? mesh.all.map(\.name)
        var total: Int64 = 0
        for name in names {
            do {
                let answer = try await Operations.Client(clients.rpc[name]!).listOutbox(
                    ListOutboxRequest(destination: destination ?? "", limit: Int32(limit), failingOnly: failing)
                )
                let backlog = answer.backlog.map { "\($0.destination) \($0.pending) pending/\($0.failing) failing" }
                print("\(name): " + (backlog.isEmpty ? "empty" : backlog.joined(separator: ", ")))
                for entry in answer.entries {
                    let age = Format.age(ms: StatusCommand.nowMs() - entry.createdAtMs)
                    print(
                        "  #\(entry.id) → \(entry.destination) \(entry.kind) event \(entry.eventID) age \(age)"
                            + " attempts \(entry.attempts)" + (entry.traceID.isEmpty ? "" : " trace \(entry.traceID)")
                            + (entry.lastError.isEmpty ? "" : "\n    last error: \(entry.lastError)")
                    )
                }
                total += answer.backlog.reduce(0) { $0 + $1.pending }
            } catch {
                print("\(name): unreachable: \(error)")
            }
        }
        await clients.close()
        if total > 0 && failing { throw ExitCode(2) }
    }
}

/// `refundctl backup <service>`: online backup of a service's stores.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up a service's stores while it runs (SQLite online backup), checked with integrity_check.",
        discussion: """
            The copies are written on the service's host under <data dir>/backups/<store>-<UTC time>.sqlite.
            Restore: stop the service, copy the backup over <data dir>/<store>.sqlite, delete <store>.sqlite-wal
            and -shm, start it (docs/OPERATIONS.md).
            """
    )

    @OptionGroup var mesh: MeshAddresses
    @Argument(help: "intake, review, payment-channel or notification.")
    var service: String
    @Option(help: "Only this store of the service (default: all of them).")
    var store: String?

    func run() async throws {
        let clients = try MeshClients(mesh)
        let rpc = try clients.client(for: service)
        let answer = try await Operations.Client(rpc).backupStore(
            BackupStoreRequest(store: store ?? ""),
            options: CallOptions(timeout: .seconds(600))
        )
        await clients.close()
        var sound = true
        for backup in answer.backups {
            print(
                "\(backup.store): \(backup.path) \(Format.bytes(backup.sizeBytes)) in \(backup.durationMs) ms, integrity \(backup.integrity)"
            )
            sound = sound && backup.integrity == "ok"
        }
        if !sound { throw ExitCode(1) }
    }
}

extension MeshClients {
    /// The client of a service named on the command line.
    func client(for service: String) throws -> RPCClient {
        guard let client = rpc[service] else {
            throw ValidationError(
                "unknown service \"\(service)\": use intake, review, payment-channel or notification"
            )
        }
        return client
    }
}

/// Figures as people read them.
enum Format {
    static func age(ms: Int64) -> String {
        let seconds = max(0, ms / 1000)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(seconds % 60)s" }
        if seconds < 86400 { return "\(seconds / 3600)h\(seconds % 3600 / 60)m" }
        return "\(seconds / 86400)d\(seconds % 86400 / 3600)h"
    }

    static func bytes(_ value: Int64) -> String {
        if value >= 1 << 30 { return String(format: "%.1fG", Double(value) / Double(1 << 30)) }
        if value >= 1 << 20 { return String(format: "%.1fM", Double(value) / Double(1 << 20)) }
        if value >= 1 << 10 { return String(format: "%.1fK", Double(value) / Double(1 << 10)) }
        return "\(value)B"
    }
}
