import Foundation
import RefundMeshEvidence
import Testing

@Suite("case evidence export")
struct CaseEvidenceExportTests {
    let signer = EvidenceSigner()
    let log = EvidenceLogFixture.log(13)

    /// r-2's entries (sequences 1, 4, 7, 10, 13) with proofs against a checkpoint of `size`.
    func makeExport(size: Int = 13) throws -> CaseEvidenceExport {
        let tree = MerkleTree(leafHashes: log.map(\.leafHash))
        let checkpoint = try EvidenceLogFixture.checkpoint(log, size: size, signer: signer)
        let entries = log.prefix(size).filter { $0.sequence % 3 == 1 }.map { entry in
            CaseEvidenceExport.Entry(
                sequence: entry.sequence,
                entry: String(decoding: entry.entry, as: UTF8.self),
                chainHash: entry.hash,
                inclusionPath: tree.inclusionProof(index: Int(entry.sequence - 1), size: size)
            )
        }
        return CaseEvidenceExport(refundID: "r-2", checkpoint: checkpoint, entries: entries)
    }

    func kinds(_ verification: CaseEvidenceExport.Verification) -> [String] {
        verification.problems.map { "\($0.sequence.map(String.init) ?? "-") \($0.kind)" }
    }

    @Test("an export verifies, with and without the trusted key")
    func verifies() throws {
        let export = try makeExport()
        #expect(export.entries.map(\.sequence) == [1, 4, 7, 10, 13])
        let trusted = export.verify(trustedKeys: [signer.publicKey])
        #expect(trusted.problems.isEmpty, "\(trusted.problems)")
        #expect(trusted.keyTrusted == true && trusted.entryCount == 5)
        let untrusted = export.verify()
        #expect(untrusted.isValid && untrusted.keyTrusted == nil)
        #expect(try makeExport(size: 11).verify(trustedKeys: [signer.publicKey]).isValid)
    }

    @Test("the JSON has the documented field names and round-trips")
    func json() throws {
        let export = try makeExport()
        let bytes = try export.jsonBytes()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(Set(object.keys) == ["format", "refund_id", "checkpoint", "entries"])
        #expect(object["format"] as? String == "refundmesh-case-evidence/v1")
        let checkpoint = try #require(object["checkpoint"] as? [String: Any])
        #expect(
            Set(checkpoint.keys) == [
                "size", "head_hash", "merkle_root", "at_ms", "algorithm", "public_key", "signature",
            ]
        )
        let first = try #require((object["entries"] as? [[String: Any]])?.first)
        #expect(Set(first.keys) == ["sequence", "entry", "chain_hash", "inclusion_path"])
        #expect(first["entry"] as? String == String(decoding: log[0].entry, as: UTF8.self))
        #expect(try CaseEvidenceExport.decode(json: bytes) == export)
        #expect(try CaseEvidenceExport.decode(json: bytes).jsonBytes() == bytes)
        #expect(throws: EvidenceError.self) { try CaseEvidenceExport.decode(json: Array("{}".utf8)) }
    }

    @Test("an edited entry, path, checkpoint or key fails with the entry named")
    func tampering() throws {
        var editedEntry = try makeExport()
        editedEntry.entries[1].entry = editedEntry.entries[1].entry.replacing(
            #""kind":"fact""#,
            with: #""kind":"gift""#
        )
        #expect(kinds(editedEntry.verify()) == ["4 inclusion-proof-invalid"])

        var editedPath = try makeExport()
        editedPath.entries[2].inclusionPath[0][0] ^= 1
        #expect(kinds(editedPath.verify()) == ["7 inclusion-proof-invalid"])

        var shortPath = try makeExport()
        shortPath.entries[0].inclusionPath.removeLast()
        #expect(kinds(shortPath.verify()) == ["1 inclusion-proof-invalid"])

        var editedRoot = try makeExport()
        editedRoot.checkpoint.merkleRoot[0] ^= 1
        #expect(kinds(editedRoot.verify()).contains("- bad-signature"))

        var editedHead = try makeExport()
        editedHead.entries[4].chainHash[0] ^= 1
        #expect(kinds(editedHead.verify()) == ["13 hash-mismatch"])

        let other = try makeExport().verify(trustedKeys: [EvidenceSigner().publicKey])
        #expect(other.keyTrusted == false && kinds(other) == ["- untrusted-key"])

        var foreign = try makeExport()
        let stranger = log[1]  // r-3's entry, a valid leaf of the tree
        foreign.entries.insert(
            CaseEvidenceExport.Entry(
                sequence: 2,
                entry: String(decoding: stranger.entry, as: UTF8.self),
                chainHash: stranger.hash,
                inclusionPath: MerkleTree(leafHashes: log.map(\.leafHash)).inclusionProof(index: 1)
            ),
            at: 1
        )
        #expect(kinds(foreign.verify()) == ["2 wrong-refund"])

        var beyond = try makeExport(size: 11)
        beyond.entries.append(try makeExport().entries[4])
        #expect(kinds(beyond.verify()) == ["13 inclusion-proof-invalid"])
    }
}

/// The auditor's script (scripts/verify-evidence-export.py) agrees with the Swift verifier: it
/// accepts an export made here and rejects a tampered one, from docs/EVIDENCE.md alone.
@Suite("independent verifier script")
struct IndependentVerifierScriptTests {
    static let python = "/usr/bin/python3"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scripts/verify-evidence-export.py").standardizedFileURL.path

    func run(_ export: CaseEvidenceExport, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(try export.jsonBytes()).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.script, file.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test(
        "the script accepts an untouched export and rejects tampering",
        .enabled(if: FileManager.default.isExecutableFile(atPath: python))
    )
    func script() throws {
        let fixture = CaseEvidenceExportTests()
        let export = try fixture.makeExport()
        let key = EvidenceHex.encode(fixture.signer.publicKey)

        let good = try run(export, ["--public-key", key])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("verified 5 entries of r-2"))

        var edited = export
        edited.entries[2].entry = edited.entries[2].entry.replacing(#""actor":"system""#, with: #""actor":"forger""#)
        let bad = try run(edited, ["--public-key", key])
        #expect(bad.status == 1 && bad.output.contains("sequence 7: the inclusion path leads to"), "\(bad.output)")

        let stranger = try run(export, ["--public-key", EvidenceHex.encode(EvidenceSigner().publicKey)])
        #expect(stranger.status == 1 && stranger.output.contains("not a trusted key"), "\(stranger.output)")
    }
}
