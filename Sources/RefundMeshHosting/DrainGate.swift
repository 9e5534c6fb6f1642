import RefundMeshRPC
import Synchronization

/// Refuses new calls with UNAVAILABLE while the service is drained (`refundctl drain`), so
/// clients' round-robin sends them to another instance (idempotent calls retry there), and
/// counts the calls in flight.
///
/// Health, discovery and operations calls always pass: an operator must be able to look at a
/// drained service and resume it.
public final class DrainGate: ServerInterceptor, Sendable {
    private struct State {
        var draining = false
        var inFlight = 0
    }

    private let state = Mutex(State())
    static let alwaysServed: Set<String> = [
        "refundmesh.health.v1.Health", "refundmesh.reflection.v1.ServerReflection",
        "refundmesh.operations.v1.Operations",
    ]

    public init() {}

    /// Whether new calls are refused.
    public var isDraining: Bool { state.withLock { $0.draining } }
    /// Calls being handled now.
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Starts (true) or ends (false) refusing new calls; returns the calls in flight.
    @discardableResult
    public func setDraining(_ draining: Bool) -> Int {
        state.withLock { state in
            state.draining = draining
            return state.inFlight
        }
    }

    public func intercept<Output: Sendable>(
        context: ServerContext,
        next: (ServerContext) async throws -> Output
    ) async throws -> Output {
        let refused = state.withLock { state -> Bool in
            if state.draining, !Self.alwaysServed.contains(context.method.service) { return true }
            state.inFlight += 1
            return false
        }
        if refused {
            throw RPCError(
                code: .unavailable,
                message:
                    "this instance is drained by an operator (refundctl drain); call another instance or retry later"
            )
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        return try await next(context)
    }
}
