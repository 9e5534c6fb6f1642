import RefundMeshEvidence
import Testing

@Suite("evidence log verifier")
struct EvidenceLogVerifierTests {
    let signer = EvidenceSigner()
    let log = EvidenceLogFixture.log(20)

    func checkpoints(_ sizes: [Int]) throws -> [SignedCheckpoint] {
        try sizes.map { try EvidenceLogFixture.checkpoint(log, size: $0, signer: signer) }
    }

    func kinds(_ report: EvidenceLogVerifier.Report) -> [String] {
        report.problems.map { "\($0.sequence.map(String.init) ?? "-") \($0.kind)" }
    }

    @Test("an untouched log verifies against its checkpoints")
    func untouched() throws {
        let report = EvidenceLogVerifier.verify(
            entries: log,
            checkpoints: try checkpoints([0, 1, 7, 20]),
            trustedKeys: [signer.publicKey]
        )
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.isValid)
        #expect(report.entryCount == 20 && report.lastSequence == 20)
        #expect(report.headHash == log.last?.hash)
        #expect(report.merkleRoot == MerkleTree(leafHashes: log.map(\.leafHash)).root())
        #expect(report.checkpointCount == 4 && report.checkpointsVerified == 4)
        #expect(report.notes.isEmpty)
    }

    @Test("the same checkpoint from two sources (the service's list and a published copy) counts once")
    func duplicateCheckpoints() throws {
        let listed = try checkpoints([7, 20])
        let report = EvidenceLogVerifier.verify(entries: log.prefix(10), checkpoints: listed + listed)
        #expect(report.checkpointCount == 2 && report.checkpointsVerified == 1)
        #expect(kinds(report) == ["- truncated"])
    }

    @Test("without a trusted key the report says signatures prove nothing about who signed")
    func noTrustedKey() throws {
        let report = EvidenceLogVerifier.verify(entries: log, checkpoints: try checkpoints([20]))
        #expect(report.isValid)
        #expect(report.notes.count == 1 && report.notes[0].contains(signer.publicKeyHex))
    }

    @Test("an edited entry is named, and every checkpoint covering it disagrees")
    func editedEntry() throws {
        var tampered = log
        tampered[6].entry = Array(
            String(decoding: tampered[6].entry, as: UTF8.self).replacing(
                #""amount_fen":700"#,
                with: #""amount_fen":900"#
            ).utf8
        )
        let report = EvidenceLogVerifier.verify(
            entries: tampered,
            checkpoints: try checkpoints([5, 10, 20]),
            trustedKeys: [signer.publicKey]
        )
        #expect(kinds(report) == ["7 hash-mismatch", "10 checkpoint-mismatch", "20 checkpoint-mismatch"])
        #expect(report.problems[0].message.contains("the entry or its hash was changed"))
        #expect(report.problems[1].message.contains("Merkle root recomputed"))
        #expect(report.checkpointsVerified == 1)
    }

    @Test("a removed row shows as a gap and a broken link")
    func removedRow() throws {
        var tampered = log
        tampered.remove(at: 11)  // sequence 12
        let report = EvidenceLogVerifier.verify(entries: tampered, checkpoints: try checkpoints([11, 15]))
        #expect(kinds(report) == ["13 sequence-gap", "13 hash-mismatch", "15 checkpoint-mismatch"])
        #expect(report.problems[0].message.contains("sequence 12 is missing"))
        #expect(report.problems[2].message.contains("the log has 14 of its 15 entries"))
    }

    @Test("a removed tail is reported against the checkpoint that covered it")
    func truncatedTail() throws {
        let report = EvidenceLogVerifier.verify(
            entries: log.prefix(16),
            checkpoints: try checkpoints([10, 20]),
            trustedKeys: [signer.publicKey]
        )
        #expect(kinds(report) == ["- truncated"])
        #expect(report.problems[0].message.contains("ends at sequence 16"))
        #expect(report.problems[0].message.contains("entries 17…20 were removed"))
    }

    @Test("rows edited and re-hashed consistently pass the chain but not the signed checkpoints")
    func rehashed() throws {
        var entries = log.map(\.entry)
        entries[3] = Array(
            String(decoding: entries[3], as: UTF8.self).replacing(#""amount_fen":400"#, with: #""amount_fen":1"#).utf8
        )
        let rewritten = EvidenceLogFixture.chain(entries)
        let report = EvidenceLogVerifier.verify(
            entries: rewritten,
            checkpoints: try checkpoints([3, 12, 20]),
            trustedKeys: [signer.publicKey]
        )
        #expect(kinds(report) == ["12 checkpoint-mismatch", "20 checkpoint-mismatch"])
        #expect(report.problems[0].message.contains("chain head recomputed"))
        // Re-signing with another key does not help the forger.
        let forged = try EvidenceLogFixture.checkpoint(rewritten, size: 20, signer: EvidenceSigner())
        let forgedReport = EvidenceLogVerifier.verify(
            entries: rewritten,
            checkpoints: [forged],
            trustedKeys: [signer.publicKey]
        )
        #expect(kinds(forgedReport) == ["- untrusted-key"])
    }

    @Test("a bad signature is reported and the checkpoint is not used")
    func badSignature() throws {
        var checkpoint = try EvidenceLogFixture.checkpoint(log, size: 10, signer: signer)
        checkpoint.signature[5] ^= 0x40
        let report = EvidenceLogVerifier.verify(
            entries: log,
            checkpoints: [checkpoint],
            trustedKeys: [signer.publicKey]
        )
        #expect(kinds(report) == ["- bad-signature"])
        #expect(report.checkpointsVerified == 0)
    }

    @Test("repeated and reordered sequences, a wrong seq field and non-canonical JSON are reported")
    func sequenceAndContent() {
        var repeated = log
        repeated.insert(log[4], at: 5)
        #expect(kinds(EvidenceLogVerifier.verify(entries: repeated, checkpoints: [])) == ["5 sequence-out-of-order"])

        // A consistent chain whose 3rd entry claims to be seq 9.
        var entries = log.map(\.entry)
        entries[2] = Array(String(decoding: entries[2], as: UTF8.self).replacing(#""seq":3"#, with: #""seq":9"#).utf8)
        let report = EvidenceLogVerifier.verify(entries: EvidenceLogFixture.chain(entries), checkpoints: [])
        #expect(kinds(report) == ["3 seq-field-mismatch"])
        #expect(report.problems[0].message.contains(#""seq":9"#))

        var spaced = log.map(\.entry)
        spaced[0] = Array(String(decoding: spaced[0], as: UTF8.self).replacing(#""v":1"#, with: #""v": 1"#).utf8)
        #expect(
            kinds(EvidenceLogVerifier.verify(entries: EvidenceLogFixture.chain(spaced), checkpoints: []))
                == ["1 non-canonical-entry"]
        )

        var garbage = log.map(\.entry)
        garbage[1] = Array("not json".utf8)
        #expect(
            kinds(EvidenceLogVerifier.verify(entries: EvidenceLogFixture.chain(garbage), checkpoints: []))
                == ["2 malformed-entry"]
        )
    }

    @Test("an empty log verifies against a checkpoint of size 0 and not against a larger one")
    func emptyLog() throws {
        let report = EvidenceLogVerifier.verify(entries: [], checkpoints: try checkpoints([0]))
        #expect(report.isValid && report.checkpointsVerified == 1 && report.headHash == EvidenceChain.genesis)
        #expect(kinds(EvidenceLogVerifier.verify(entries: [], checkpoints: try checkpoints([3]))) == ["- truncated"])
    }
}
