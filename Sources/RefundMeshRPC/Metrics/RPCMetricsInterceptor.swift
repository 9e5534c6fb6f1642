import CoreMetrics

/// Counts and times every call a server handles, by method and status (swift-metrics; the
/// executable picks the backend, Prometheus in RefundMesh's services):
///
/// - `rpc_server_calls_total{method, code}`: calls finished, by gRPC status name (`OK`,
///   `INVALID_ARGUMENT`, …);
/// - `rpc_server_call_duration_seconds{method}`: a histogram of handler time.
///
/// Put it first in the server's interceptors so it sees every refusal the others make.
public struct RPCServerMetricsInterceptor: ServerInterceptor {
    public init() {}

    public func intercept<Output: Sendable>(
        context: ServerContext,
        next: (ServerContext) async throws -> Output
    ) async throws -> Output {
        let start = ContinuousClock.now
        do {
            let output = try await next(context)
            RPCCallMetrics.record(side: .server, method: context.method.path, code: .ok, since: start)
            return output
        } catch {
            let code = RPCError.from(error, requestID: context.requestID).code
            RPCCallMetrics.record(side: .server, method: context.method.path, code: code, since: start)
            throw error
        }
    }
}

/// Counts and times every call a client makes, by method and status, including its retries:
/// `rpc_client_calls_total{method, code}` and `rpc_client_call_duration_seconds{method}`.
public struct RPCClientMetricsInterceptor: ClientInterceptor {
    public init() {}

    public func intercept<Output: Sendable>(
        method: MethodDescriptor,
        options: CallOptions,
        next: (CallOptions) async throws -> Output
    ) async throws -> Output {
        let start = ContinuousClock.now
        do {
            let output = try await next(options)
            RPCCallMetrics.record(side: .client, method: method.path, code: .ok, since: start)
            return output
        } catch {
            let code = (error as? RPCError)?.code ?? .unknown
            RPCCallMetrics.record(side: .client, method: method.path, code: code, since: start)
            throw error
        }
    }
}

enum RPCCallMetrics {
    enum Side: String {
        case server
        case client
    }

    static func record(side: Side, method: String, code: StatusCode, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        Counter(
            label: "rpc_\(side.rawValue)_calls_total",
            dimensions: [("method", method), ("code", code.description)]
        ).increment()
        Timer(
            label: "rpc_\(side.rawValue)_call_duration_seconds",
            dimensions: [("method", method)]
        ).recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
