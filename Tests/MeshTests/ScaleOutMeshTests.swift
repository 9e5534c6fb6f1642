import Foundation
import GRDB
import RefundMeshRPC
import Testing

/// Scale-out on one machine (docs/PERFORMANCE.md#scale-out): a second instance of a service
/// behind the callers' round-robin takes its share of the load.
@Suite("Scale-out: two review instances behind intake's round-robin")
struct ScaleOutMeshTests {
    @Test(
        "two review instances, each with its own store, both open cases from intake's round-robin; every refund arrives once"
    )
    func twoReviewInstances() async throws {
        let secondPort = try Mesh.freePort()
        let firstPort = try Mesh.freePort()
        let mesh = try Mesh(extraEnvironment: [
            "REVIEW_ADDR": "127.0.0.1:\(firstPort),127.0.0.1:\(secondPort)",
            "PAYMENT_SANDBOX_SETTLE_MILLIS": "20",
        ])
        // The mesh's own review on the first address, a second one on the other, each with a
        // data folder (so a store) of its own: cases are self-contained, so review shards by case.
        let first = try ServiceProcess("review", dataDirectory: mesh.root.appendingPathComponent("review-1"))
        let second = try ServiceProcess("review", dataDirectory: mesh.root.appendingPathComponent("review-2"))
        for name in ["notification", "payment-channel"] { try await mesh.start(name) }
        try await first.start(port: firstPort, environment: mesh.environment)
        try await second.start(port: secondPort, environment: mesh.environment)
        try await mesh.start("intake")

        let refunds = 40
        let (status, output) = try await runProcess(
            ServiceProcess.productsDirectory.appendingPathComponent("refund-bench").path,
            [
                "--refunds", "\(refunds)", "--concurrency", "8", "--json",
                "--intake", "127.0.0.1:\(mesh.ports["intake"]!)",
                "--payment-channel", "127.0.0.1:\(mesh.ports["payment-channel"]!)",
            ]
        )
        #expect(status == 0, "\(output)")
        // refund-bench follows every refund to MONEY_ARRIVED and counts the ones that did not get there.
        #expect(output.contains("\"refunds\":\(refunds),\"failed\":0"), "\(output)")

        #expect(try await first.stop() == 0)
        #expect(try await second.stop() == 0)
        _ = try await mesh.stop()
        let cases = try [first, second].map { instance in
            let queue = try DatabaseQueue(
                path: instance.dataDirectory.appendingPathComponent("review.sqlite").path,
                configuration: {
                    var configuration = Configuration()
                    configuration.readonly = true
                    return configuration
                }()
            )
            return try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM review_cases") ?? 0 }
        }
        // Both took load; together, each refund's case exactly once.
        #expect(cases[0] > 0 && cases[1] > 0, "cases per instance: \(cases)")
        #expect(cases[0] + cases[1] == refunds, "cases per instance: \(cases)")
    }
}
