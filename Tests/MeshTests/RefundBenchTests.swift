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

    @Test("with --setup-done-file it hands over once every order and payment is recorded, before the first refund")
    func setupHandOver() async throws {
        let mesh = try Mesh(extraEnvironment: ["PAYMENT_SANDBOX_SETTLE_MILLIS": "20"])
        try await mesh.start()
        let marker = mesh.root.appendingPathComponent("setup-done").path
        let arguments = [
            "--refunds", "12", "--concurrency", "4", "--json", "--setup-done-file", marker,
            "--intake", "127.0.0.1:\(mesh.ports["intake"]!)",
            "--review", "127.0.0.1:\(mesh.ports["review"]!)",
            "--payment-channel", "127.0.0.1:\(mesh.ports["payment-channel"]!)",
        ]
        let bench = Task {
            try await runProcess(
                ServiceProcess.productsDirectory.appendingPathComponent("refund-bench").path,
                arguments
            )
        }
        let deadline = ContinuousClock.now + .seconds(120)
        while !FileManager.default.fileExists(atPath: marker), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(FileManager.default.fileExists(atPath: marker), "refund-bench never wrote \(marker)")
        // While the file is there, refund-bench waits: what the services counted is the setup's.
        let intake = try await Operations.Client(mesh.client("intake")).metrics(MetricsRequest()).text
        let payments = try await Operations.Client(mesh.client("payment-channel")).metrics(MetricsRequest()).text
        #expect(
            intake.contains(#"rpc_server_calls_total{method="/refundmesh.intake.v1.Intake/RecordOrder",code="OK"} 12"#)
        )
        #expect(!intake.contains("Intake/SubmitRefund"), "a refund was submitted before the hand-over")
        #expect(
            payments.contains(
                #"rpc_server_calls_total{method="/refundmesh.payment.v1.PaymentChannel/RecordPayment",code="OK"} 12"#
            )
        )
        try? FileManager.default.removeItem(atPath: marker)
        let (status, output) = try await bench.value
        #expect(status == 0, "\(output)")
        #expect(output.contains("\"refunds\":12,\"failed\":0"), "\(output)")
        _ = try await mesh.stop()
    }
}
