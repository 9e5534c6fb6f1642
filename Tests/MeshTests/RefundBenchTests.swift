import Foundation
import RefundMeshAPI
import RefundMeshRPC
import Testing

@Suite("refund-bench against the mesh")
struct RefundBenchTests {
    @Test("refund-bench drives refunds to money arrived and reports them as JSON")
    func smallRun() async throws {
        let mesh = try Mesh(extraEnvironment: ["PAYMENT_SANDBOX_SETTLE_MILLIS": "20"])
        try await mesh.start()
        let (status, output) = try await runProcess(
            ServiceProcess.productsDirectory.appendingPathComponent("refund-bench").path,
            [
                "--refunds", "24", "--concurrency", "6", "--json",
                "--intake", "127.0.0.1:\(mesh.ports["intake"]!)",
                "--review", "127.0.0.1:\(mesh.ports["review"]!)",
                "--payment-channel", "127.0.0.1:\(mesh.ports["payment-channel"]!)",
            ]
        )
        #expect(status == 0, "\(output)")
        #expect(output.contains("\"refunds\":24,\"failed\":0"), "\(output)")
        _ = try await mesh.stop()
    }
}
