import ArgumentParser
import Foundation
import RefundMeshAPI
import RefundMeshEvidence
import RefundMeshRPC

extension Evidence {
    /// `refundctl evidence verify`: streams the whole log and verifies it here, against every
    /// checkpoint review lists and any published heads given.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stream the whole log from review and verify it here against its signed checkpoints.",
            discussion: """
                Checks every entry's chain hash, sequence and content, and every checkpoint's signature, size,
                chain head and Merkle root against the log recomputed here. Exits 1 and lists the problems when
                anything is wrong. Without --public-key the signatures are checked with the key each checkpoint
                names, which only shows the checkpoints are self-consistent: pin the service's key.
                """
        )

        @OptionGroup var mesh: MeshAddresses
        @OptionGroup var trusted: TrustedKeyOptions
        @Option(
            name: .customLong("checkpoint-file"),
            help: "A published head (REVIEW_EVIDENCE_HEAD_FILE, or `evidence head --json`) to hold the log to as well."
        )
        var checkpointFiles: [String] = []
        @Option(help: "How long the stream may take, in seconds.") var timeoutSeconds: Int = 600

        func run() async throws {
            let trustedKeys = try trusted.keys()
            var kept: [SignedCheckpoint] = []
            for path in checkpointFiles {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ValidationError("--checkpoint-file \(path) cannot be read")
                }
                do {
                    kept.append(try JSONDecoder().decode(SignedCheckpoint.self, from: data))
                } catch {
                    throw ValidationError("--checkpoint-file \(path) is not a checkpoint: \(error)")
                }
            }
            let clients = try MeshClients(mesh)
            let report: EvidenceLogVerifier.Report
            let listed: [SignedCheckpoint]
            do {
                // Checkpoints first: the log only grows, so the stream covers every one of them.
                listed = try await clients.review.listCheckpoints(ListCheckpointsRequest()).checkpoints.map(
                    SignedCheckpoint.init
                )
                var verifier = EvidenceLogVerifier(checkpoints: listed + kept, trustedKeys: trustedKeys)
                try await clients.review.streamEvidence(
                    StreamEvidenceRequest(fromSequence: 1),
                    options: CallOptions(timeout: .seconds(timeoutSeconds))
                ) { stream in
                    for try await entry in stream {
                        verifier.consume(
                            EvidenceLogEntry(entry)
                        )
                    }
                }
                report = verifier.finish()
            } catch {
                await clients.close()
                throw error
            }
            await clients.close()

            for note in report.notes { print("note: \(note)") }
            let head = EvidenceHex.encode(report.headHash)
            if report.isValid {
                print(
                    "verified \(report.entryCount) entries, \(report.checkpointCount)"
                        + " checkpoint\(report.checkpointCount == 1 ? "" : "s"), head \(head),"
                        + " merkle root \(EvidenceHex.encode(report.merkleRoot))"
                )
                if report.checkpointCount == 0 {
                    print("note: no checkpoints to check against; `refundctl evidence checkpoint` signs one")
                }
                return
            }
            print("the evidence log FAILED verification: \(report.problems.count) problem(s)")
            for problem in report.problems { print("  \(problem)") }
            print(
                "checked \(report.entryCount) entries (last sequence \(report.lastSequence)); \(report.checkpointsVerified)"
                    + " of \(report.checkpointCount) checkpoints held; recomputed head \(head)"
            )
            throw ExitCode(1)
        }
    }
}
