import Synchronization

/// The health service every server hosts (`refundmesh.health.v1.Health`, after grpc.health.v1).
///
/// The server marks each hosted service SERVING when it starts and NOT_SERVING when it begins
/// to drain; an application may change a status itself (e.g. NOT_SERVING while its store is
/// unreachable). The empty name stands for the whole server.
public final class HealthService: Health.ServiceProtocol {
    public typealias ServingStatus = HealthCheckResponse.ServingStatus

    private struct State {
        var statuses: [String: ServingStatus] = [:]
        var watchers: [Int: (service: String, continuation: AsyncStream<ServingStatus>.Continuation)] = [:]
        var nextWatcher = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Sets a service's status and tells its watchers.
    public func setStatus(_ status: ServingStatus, for service: String) {
        let watchers = state.withLock { state in
            state.statuses[service] = status
            return state.watchers.values.filter { $0.service == service }.map(\.continuation)
        }
        for watcher in watchers { watcher.yield(status) }
    }

    /// Marks every known service NOT_SERVING (the server does this when it starts draining).
    public func markAllNotServing() {
        let names = state.withLock { Array($0.statuses.keys) }
        for name in names { setStatus(.notServing, for: name) }
    }

    /// Marks every known service SERVING again (an operator resumed a drained service).
    public func markAllServing() {
        let names = state.withLock { Array($0.statuses.keys) }
        for name in names { setStatus(.serving, for: name) }
    }

    /// The current status; nil for a service this server does not know.
    public func status(for service: String) -> ServingStatus? {
        state.withLock { $0.statuses[service] }
    }

    public func check(_ request: HealthCheckRequest, context: ServerContext) async throws -> HealthCheckResponse {
        guard let status = status(for: request.service) else {
            throw RPCError(code: .notFound, message: "service \"\(request.service)\" is not hosted by this server")
        }
        return HealthCheckResponse(status: status)
    }

    public func watch(
        _ request: HealthCheckRequest,
        responses: MessageWriter<HealthCheckResponse>,
        context: ServerContext
    ) async throws {
        let (stream, continuation) = AsyncStream<ServingStatus>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = (request.service, continuation)
            continuation.yield(state.statuses[request.service] ?? .serviceUnknown)
            return id
        }
        defer { _ = state.withLock { $0.watchers.removeValue(forKey: id) } }
        var last: ServingStatus?
        for await status in stream {
            if status == last { continue }
            last = status
            try await responses.write(HealthCheckResponse(status: status))
        }
    }
}
