import CoreMetrics
import Logging
import Synchronization

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
    private let metrics = RPCCallMetrics(side: .server)

    public init() {}

    public func intercept<Output: Sendable>(
        context: ServerContext,
        next: (ServerContext) async throws -> Output
    ) async throws -> Output {
        let start = ContinuousClock.now
        do {
            let output = try await next(context)
            let elapsed = metrics.record(method: context.method.path, code: .ok, since: start)
            context.logger.debug(
                "call answered",
                metadata: [
                    "rpc.code": "OK", "rpc.duration_ms": "\(elapsed.logMilliseconds)", "rpc.peer": "\(context.peer)",
                ]
            )
            return output
        } catch {
            let code = RPCError.from(error, requestID: context.requestID).code
            let elapsed = metrics.record(method: context.method.path, code: code, since: start)
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
    private let metrics = RPCCallMetrics(side: .client)

    public init() {}

    public func intercept<Output: Sendable>(
        method: MethodDescriptor,
        options: CallOptions,
        next: (CallOptions) async throws -> Output
    ) async throws -> Output {
        let start = ContinuousClock.now
        do {
            let output = try await next(options)
            metrics.record(method: method.path, code: .ok, since: start)
            return output
        } catch {
            let code = (error as? RPCError)?.code ?? .unknown
            metrics.record(method: method.path, code: code, since: start)
            throw error
        }
    }
}

/// One interceptor's counters and timers, made once per method and status and then reused, as
/// swift-metrics intends: making them on every call looked each one up in the Prometheus registry
/// (hashing the label and dimensions under its lock), about 1 % of the mesh's CPU
/// (docs/PERFORMANCE.md, "2026-12-07, small costs").
final class RPCCallMetrics: Sendable {
    enum Side: String {
        case server
        case client
    }

    private struct Key: Hashable {
        let method: String
        let code: StatusCode
    }

    private struct Handles {
        let calls: Counter
        let duration: Timer
    }

    /// More method and status pairs than any service has; past it (a peer inventing method
    /// names), handles are made per call and not kept.
    private static let keptLimit = 1024

    private let side: Side
    private let kept = Mutex<[Key: Handles]>([:])

    init(side: Side) {
        self.side = side
    }

    @discardableResult
    func record(method: String, code: StatusCode, since start: ContinuousClock.Instant) -> Duration {
        let elapsed = ContinuousClock.now - start
        let handles = self.handles(Key(method: method, code: code))
        handles.calls.increment()
        handles.duration.recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        )
        return elapsed
    }

    private func handles(_ key: Key) -> Handles {
        if let found = kept.withLock({ $0[key] }) { return found }
        let made = Handles(
            calls: Counter(
                label: "rpc_\(side.rawValue)_calls_total",
                dimensions: [("method", key.method), ("code", key.code.description)]
            ),
            duration: Timer(label: "rpc_\(side.rawValue)_call_duration_seconds", dimensions: [("method", key.method)])
        )
        // Made before the process bootstrapped its metrics, they would stay no-ops: kept only after.
        guard !(MetricsSystem.factory is NOOPMetricsHandler) else { return made }
        kept.withLock { kept in
            if kept.count < Self.keptLimit { kept[key] = made }
        }
        return made
    }
}

extension Duration {
    /// Whole and fractional milliseconds, for logs.
    fileprivate var logMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
