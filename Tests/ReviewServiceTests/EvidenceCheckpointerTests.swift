import Foundation
import Logging
import RefundMeshEvidence
import ReviewService
import Testing

@Suite("evidence checkpointer")
struct EvidenceCheckpointerTests {
    @Test("signs the head on start and publishes it as JSON to the head file")
    func publishes() async throws {
        let evidence = try EvidenceFixture()
        try await evidence.append(9, refundID: "r-1")
        let headFile = evidence.directory.appendingPathComponent("published/evidence-head.json").path
        var logger = Logger(label: "test.evidence.checkpointer")
        logger.logLevel = .critical
        let checkpointer = EvidenceCheckpointer(
            handler: evidence.handler,
            interval: .milliseconds(20),
            headFile: headFile,
            logger: logger
        )
        let running = Task { try await checkpointer.run() }
        defer { running.cancel() }

        var published: SignedCheckpoint?
        var grown = false
        for _ in 0..<3000 where published?.size != 12 {
            if published?.size == 9 && !grown {
                grown = true
                try await evidence.append(3, refundID: "r-2")
            }
            try await Task.sleep(for: .milliseconds(10))
            if let data = FileManager.default.contents(atPath: headFile) {
                published = try? JSONDecoder().decode(SignedCheckpoint.self, from: data)
            }
        }
        running.cancel()
        _ = try? await running.value

        let head = try #require(published)
        #expect(head.size == 12, "the next round signed the grown log and republished")
        #expect(head.hasValidSignature(publicKey: evidence.signer.publicKey))
        #expect(try await evidence.checkpoints().last == head)
        let report = EvidenceLogVerifier.verify(
            entries: try await evidence.stream(),
            checkpoints: [head],
            trustedKeys: [evidence.signer.publicKey]
        )
        #expect(report.isValid)
    }
}
