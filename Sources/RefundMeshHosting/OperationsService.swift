import Foundation
import Logging
import RefundMeshRPC
import RefundMeshStore

/// The Operations service every RefundMesh service hosts (`refundmesh.operations.v1.Operations`,
/// docs/OPERATIONS.md): status and version, drain and resume, the outbox backlog, the metrics
/// text, and online backups of the service's stores.
struct OperationsService: Operations.ServiceProtocol {
    let serviceName: String
    let version: String
    let dataDirectory: String
    let stores: [String: Store]
    let gate: DrainGate
    let metrics: MetricsEndpoint?
    let health: @Sendable () -> HealthService?
    let exit: @Sendable () -> Void
    let logger: Logger
    let startedAtMs: Int64

    init(
        serviceName: String,
        version: String,
        dataDirectory: String,
        stores: [String: Store],
        gate: DrainGate,
        metrics: MetricsEndpoint?,
        health: @escaping @Sendable () -> HealthService?,
        exit: @escaping @Sendable () -> Void,
        logger: Logger
    ) {
        self.serviceName = serviceName
        self.version = version
        self.dataDirectory = dataDirectory
        self.stores = stores
        self.gate = gate
        self.metrics = metrics
        self.health = health
        self.exit = exit
        self.logger = logger
        self.startedAtMs = Int64(Date().timeIntervalSince1970 * 1000)
    }

    func status(_ request: StatusRequest, context: ServerContext) async throws -> StatusResponse {
        var response = StatusResponse()
        response.service = serviceName
        response.version = version
        response.startedAtMs = startedAtMs
        response.draining = gate.isDraining
        response.outbox = try await backlog(destination: nil)
        for name in stores.keys.sorted() {
            let store = stores[name]!
            response.stores.append(
                StoreInfo(
                    name: name,
                    path: store.configuration.path,
                    sizeBytes: store.sizeInBytes(),
                    migrations: Int64(try await store.appliedMigrations().count)
                )
            )
        }
        if let metrics { response.metricsPort = Int32(metrics.currentPort) }
        response.residentBytes = Self.residentBytes()
        return response
    }

    func drain(_ request: DrainRequest, context: ServerContext) async throws -> DrainResponse {
        if request.resume && !request.exit {
            gate.setDraining(false)
            health()?.markAllServing()
            logger.notice("resumed by an operator; serving again")
            return DrainResponse(draining: false, exiting: false, inFlightCalls: Int64(gate.inFlight))
        }
        let inFlight = gate.setDraining(true)
        health()?.markAllNotServing()
        logger.notice(
            request.exit ? "drained by an operator; stopping once in-flight work ends" : "drained by an operator",
            metadata: ["rpc.in_flight": "\(inFlight)"]
        )
        if request.exit { exit() }
        return DrainResponse(draining: true, exiting: request.exit, inFlightCalls: Int64(inFlight))
    }

    func listOutbox(_ request: ListOutboxRequest, context: ServerContext) async throws -> ListOutboxResponse {
        let destination = request.destination.isEmpty ? nil : request.destination
        let limit = request.limit <= 0 ? 20 : min(Int(request.limit), 500)
        var response = ListOutboxResponse()
        response.backlog = try await backlog(destination: destination)
        for name in stores.keys.sorted() {
            let messages = try await stores[name]!.read { db in
                try Outbox.oldestPending(db, destination: destination, failingOnly: request.failingOnly, limit: limit)
            }
            response.entries += messages.map { message in
                OutboxEntry(
                    id: message.id,
                    eventID: message.eventID,
                    destination: message.destination,
                    kind: message.kind,
                    attempts: Int32(clamping: message.attempts),
                    lastError: message.lastError ?? "",
                    createdAtMs: Int64(message.createdAt.timeIntervalSince1970 * 1000),
                    nextAttemptAtMs: Int64(message.nextAttemptAt.timeIntervalSince1970 * 1000),
                    traceID: message.traceID ?? ""
                )
            }
        }
        return response
    }

    func metrics(_ request: MetricsRequest, context: ServerContext) async throws -> MetricsResponse {
        MetricsResponse(text: ServiceMetrics.exposition())
    }

    func backupStore(_ request: BackupStoreRequest, context: ServerContext) async throws -> BackupStoreResponse {
        let names: [String]
        if request.store.isEmpty {
            names = stores.keys.sorted()
        } else {
            guard stores[request.store] != nil else {
                let known = stores.keys.sorted().joined(separator: ", ")
                throw RPCError(
                    code: .notFound,
                    message: "\(serviceName) has no store named \"\(request.store)\"; its stores are: \(known)"
                )
            }
            names = [request.store]
        }
        let stamp = Self.stamp(Date())
        var response = BackupStoreResponse()
        for name in names {
            // Only under the service's own data folder: a caller never picks a path on this host.
            let path = "\(dataDirectory)/backups/\(name)-\(stamp).sqlite"
            let result: StoreBackupResult
            do {
                result = try await stores[name]!.backup(to: path)
            } catch {
                throw RPCError(code: .internalError, message: "backing up \(name) to \(path) failed: \(error)")
            }
            logger.notice(
                "store backed up",
                metadata: [
                    "store.name": "\(name)", "backup.path": "\(result.path)", "backup.bytes": "\(result.sizeInBytes)",
                    "backup.integrity": "\(result.integrity)",
                ]
            )
            response.backups.append(
                StoreBackup(
                    store: name,
                    path: result.path,
                    sizeBytes: result.sizeInBytes,
                    integrity: result.integrity,
                    durationMs: Int64(result.duration.components.seconds * 1000)
                        + Int64(result.duration.components.attoseconds / 1_000_000_000_000_000)
                )
            )
        }
        return response
    }

    private func backlog(destination: String?) async throws -> [OutboxBacklog] {
        var merged: [String: OutboxStats] = [:]
        for store in stores.values {
            let backlog = try await store.read { db in try Outbox.backlogByDestination(db) }
            for (name, stats) in backlog where destination == nil || destination == name {
                if let earlier = merged[name] {
                    merged[name] = OutboxStats(
                        pendingCount: earlier.pendingCount + stats.pendingCount,
                        failingCount: earlier.failingCount + stats.failingCount,
                        oldestPendingAge: max(earlier.oldestPendingAge ?? .zero, stats.oldestPendingAge ?? .zero)
                    )
                } else {
                    merged[name] = stats
                }
            }
        }
        return merged.keys.sorted().map { name in
            let stats = merged[name]!
            let age = stats.oldestPendingAge ?? .zero
            return OutboxBacklog(
                destination: name,
                pending: Int64(stats.pendingCount),
                failing: Int64(stats.failingCount),
                oldestPendingAgeMs: age.components.seconds * 1000 + age.components.attoseconds / 1_000_000_000_000_000
            )
        }
    }

    /// `20261206T080102Z`-style UTC time for backup names (sortable, no colons).
    static func stamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = Int(date.timeIntervalSince1970 * 1000) % 1000
        return String(
            format: "%04d%02d%02dT%02d%02d%02d.%03dZ",
            parts.tm_year + 1900,
            parts.tm_mon + 1,
            parts.tm_mday,
            parts.tm_hour,
            parts.tm_min,
            parts.tm_sec,
            millis
        )
    }

    /// Resident set size from /proc/self/statm (0 where there is none).
    static func residentBytes() -> Int64 {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int64(fields[1]) else { return 0 }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
