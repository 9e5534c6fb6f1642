import ArgumentParser
import Foundation
import RefundMeshAPI
import RefundMeshEvidence

extension Evidence {
    /// `refundctl evidence export`: a case's evidence with its proofs, verified before it is written.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a refund's evidence with inclusion proofs against a signed checkpoint (JSON).",
            discussion: "The export is verified before it is written; scripts/verify-evidence-export.py checks it too."
        )

        @OptionGroup var mesh: MeshAddresses
        @OptionGroup var trusted: TrustedKeyOptions
        @Argument(help: "The refund id.") var refundID: String
        @Option(help: "Write the JSON here instead of to standard output.") var output: String?

        func run() async throws {
            let trustedKeys = try trusted.keys()
            let clients = try MeshClients(mesh)
            let evidence: CaseEvidence
            do {
                evidence = try await clients.review.exportCaseEvidence(ExportCaseEvidenceRequest(refundID: refundID))
            } catch {
                await clients.close()
                throw error
            }
            await clients.close()
            let export = CaseEvidenceExport(evidence)
            let verification = export.verify(trustedKeys: trustedKeys)
            guard verification.isValid else {
                Evidence.printError("the export of \(refundID) does not verify; nothing written:")
                for problem in verification.problems { Evidence.printError("  \(problem)") }
                throw ExitCode(1)
            }
            let json = try export.jsonBytes()
            let summary =
                "exported \(export.entries.count) entries of \(refundID) with proofs against the"
                + " \(export.checkpoint.label) (root \(EvidenceHex.encode(export.checkpoint.merkleRoot)))"
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: Data(json)) else {
                    throw ValidationError("could not write \(output)")
                }
                print(summary + " to \(output)")
            } else {
                FileHandle.standardOutput.write(Data(json))
                Evidence.printError(summary)
            }
        }
    }

    /// `refundctl evidence check-export`: verifies an export offline.
    struct CheckExport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-export",
            abstract: "Verify a case export offline: entries, inclusion proofs, checkpoint signature and key."
        )

        @OptionGroup var trusted: TrustedKeyOptions
        @Argument(help: "The export's JSON file.") var file: String

        func run() throws {
            let trustedKeys = try trusted.keys()
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("\(file) cannot be read")
            }
            let export = try CaseEvidenceExport.decode(json: Array(data))
            let verification = export.verify(trustedKeys: trustedKeys)
            let key = EvidenceHex.encode(export.checkpoint.publicKey)
            guard verification.isValid else {
                print("the export of \(export.refundID) FAILED verification: \(verification.problems.count) problem(s)")
                for problem in verification.problems { print("  \(problem)") }
                throw ExitCode(1)
            }
            print(
                "verified \(verification.entryCount) entries of \(export.refundID) against the \(export.checkpoint.label)"
                    + " (\(Evidence.timestamp(export.checkpoint.atMs)))"
            )
            switch verification.keyTrusted {
            case true?: print("signed by the trusted key \(key)")
            default:
                print(
                    "note: signed by \(key), the key the export names; no --public-key was given, so who signed is"
                        + " not established"
                )
            }
        }
    }
}
