import CoreMetrics
import Logging

/// Counts and times every call a server handles, by method and status (swift-metrics; the
/// executable picks the backend, Prometheus in RefundMesh's services):
///
/// - `rpc_server_calls_total{method, code}`: calls finished, by gRPC status name (`OK`,
///   `INVALID_ARGUMENT`, …);
/// - `rpc_server_call_duration_seconds{method}`: a histogram of handler time.
///
/// It also writes the access log: one `call answered` line per call (debug when OK, info
/// otherwise) with `rpc.code`, `rpc.duration_ms`, `rpc.peer` and the call's `trace.id`.
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
            let elapsed = RPCCallMetrics.record(side: .server, method: context.method.path, code: .ok, since: start)
            context.logger.debug(
                "call answered",
                metadata: [
                    "rpc.code": "OK", "rpc.duration_ms": "\(elapsed.logMilliseconds)", "rpc.peer": "\(context.peer)",
                ]
            )
            return output
        } catch {
            let code = RPCError.from(error, requestID: context.requestID).code
            let elapsed = RPCCallMetrics.record(side: .server, method: context.method.path, code: code, since: start)
            // The access log: every answer at debug, refusals at info, so they can be found by trace id.
            context.logger.log(
                level: code == .ok ? .debug : .info,
                "call answered",
                metadata: [
                    "rpc.code": "\(code)", "rpc.duration_ms": "\(elapsed.logMilliseconds)",
                    "rpc.peer": "\(context.peer)",
                ]
            )
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

    @discardableResult
    static func record(side: Side, method: String, code: StatusCode, since start: ContinuousClock.Instant) -> Duration {
        let elapsed = ContinuousClock.now - start
        Counter(
            label: "rpc_\(side.rawValue)_calls_total",
            dimensions: [("method", method), ("code", code.description)]
        ).increment()
        Timer(
            label: "rpc_\(side.rawValue)_call_duration_seconds",
            dimensions: [("method", method)]
        ).recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        return elapsed
    }
}

extension Duration {
    /// Whole and fractional milliseconds, for logs.
    fileprivate var logMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
