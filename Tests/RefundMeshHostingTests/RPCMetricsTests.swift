import Foundation
import RefundMeshRPC
import Testing

@testable import RefundMeshHosting

@Suite("RPC call metrics in the Prometheus exposition")
struct RPCMetricsTests {
    /// The client interceptor keeps one counter and timer per method and status: every call
    /// must still count, under its own status, in the registry /metrics serves.
    @Test("every call counts once under its status, and its duration once under its method")
    func everyCallCounts() async throws {
        ServiceMetrics.bootstrap()
        // A method no other test calls, so parallel tests do not add to its series.
        let method = MethodDescriptor(
            service: "refundmesh.test.v1.MetricsProbe",
            method: "Call\(UUID().uuidString.prefix(8))",
            kind: .unary,
            isIdempotent: true,
            requestType: "Ping",
            responseType: "Ping"
        )
        let interceptor = RPCClientMetricsInterceptor()
        for _ in 0..<3 {
            _ = try await interceptor.intercept(method: method, options: .defaults) { _ in 1 }
        }
        for _ in 0..<2 {
            await #expect(throws: RPCError.self) {
                try await interceptor.intercept(method: method, options: .defaults) { _ -> Int in
                    throw RPCError(code: .notFound, message: "no such thing")
                }
            }
        }
        let lines = ServiceMetrics.exposition().split(separator: "\n").filter { $0.contains(method.path) }
        #expect(
            lines.contains {
                $0.hasPrefix("rpc_client_calls_total{") && $0.contains(#"code="OK""#) && $0.hasSuffix(" 3")
            }
        )
        #expect(
            lines.contains {
                $0.hasPrefix("rpc_client_calls_total{") && $0.contains(#"code="NOT_FOUND""#) && $0.hasSuffix(" 2")
            }
        )
        #expect(lines.contains { $0.hasPrefix("rpc_client_call_duration_seconds_count{") && $0.hasSuffix(" 5") })
    }
}
