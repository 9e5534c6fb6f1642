import Foundation
import RefundMeshAPI
import RefundMeshEvidence
import RefundMeshRPC
import RefundMeshTestSupport
import ReviewService
import Testing

/// GetEvidenceHead, CreateCheckpoint, StreamEvidence, ListCheckpoints and ExportCaseEvidence
/// (R-R9) over a real store, and what tampering with the SQLite file looks like to a verifier.
@Suite("review handler: evidence")
struct ReviewHandlerEvidenceTests {
    /// Two card-key cases opened through the handler (their facts and decisions are logged),
    /// then enough direct records to make the stream page.
    func populatedLog() async throws -> EvidenceFixture {
        let evidence = try EvidenceFixture()
        for id in ["1", "2"] {
            _ = try await evidence.handler.openCase(
                ReviewFixture.openCase("r-\(id)", order: ReviewFixture.order("o-\(id)", kind: .cardKey)),
                context: EvidenceFixture.context(Review.Method.openCase)
            )
        }
        try await evidence.append(1100, refundID: "r-bulk")
        return evidence
    }

    @Test("append, stream, checkpoint, export and verify round trip")
    func roundTrip() async throws {
        let evidence = try await populatedLog()
        let caseEntries = try await evidence.store.read { db in try EvidenceStore.entries(db, refundID: "r-1") }
        #expect(!caseEntries.isEmpty, "opening a case logs evidence")

        await #expect(throws: RPCError.self) {
            _ = try await evidence.handler.getEvidenceHead(
                GetEvidenceHeadRequest(),
                context: EvidenceFixture.context(Review.Method.getEvidenceHead)
            )
        }
        let checkpoint = try await evidence.createCheckpoint()
        let all = try await evidence.stream()
        #expect(all.count > 1100 && all.map(\.sequence) == Array(1...Int64(all.count)), "pages join without gaps")
        #expect(checkpoint.size == Int64(all.count) && checkpoint.headHash == all.last?.hash)
        #expect(checkpoint.publicKey == evidence.signer.publicKey && checkpoint.hasValidSignature())
        let head = try await evidence.handler.getEvidenceHead(
            GetEvidenceHeadRequest(),
            context: EvidenceFixture.context(Review.Method.getEvidenceHead)
        )
        #expect(SignedCheckpoint(head) == checkpoint)
        #expect(try await evidence.createCheckpoint() == checkpoint, "no new checkpoint while the log did not grow")

        let tail = try await evidence.stream(from: Int64(all.count) - 2)
        #expect(tail.map(\.sequence) == [Int64(all.count) - 2, Int64(all.count) - 1, Int64(all.count)])
        #expect(try await evidence.stream(from: Int64(all.count) + 1).isEmpty)

        let report = try await evidence.verify()
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.checkpointsVerified == 1 && report.entryCount == Int64(all.count))

        // r-1's export uses the existing checkpoint; a new case's export needs (and makes) a new one.
        let export = try await evidence.export("r-1")
        #expect(export.checkpoint == checkpoint)
        #expect(export.entries.map(\.sequence) == caseEntries.map(\.sequence))
        let verification = export.verify(trustedKeys: [evidence.signer.publicKey])
        #expect(verification.problems.isEmpty && verification.keyTrusted == true, "\(verification.problems)")

        try await evidence.append(3, refundID: "r-late")
        let late = try await evidence.export("r-late")
        #expect(late.checkpoint.size == checkpoint.size + 3)
        #expect(late.verify(trustedKeys: [evidence.signer.publicKey]).isValid)
        let decoded = try CaseEvidenceExport.decode(json: try late.jsonBytes())
        #expect(decoded.verify(trustedKeys: [evidence.signer.publicKey]).isValid)
        #expect(try await evidence.checkpoints().count == 2)
        #expect(try await evidence.verify().isValid)

        let unknown = await #expect(throws: RPCError.self) { _ = try await evidence.export("r-nobody") }
        #expect(unknown?.code == .notFound)
        let invalid = await #expect(throws: RPCError.self) { _ = try await evidence.stream(from: -1) }
        #expect(invalid?.code == .invalidArgument)
    }

    @Test("over the wire: the stream, the checkpoints and an export verify on the client")
    func overTheWire() async throws {
        let evidence = try await populatedLog()
        try await withTestServer(services: [evidence.handler]) { _, port in
            let rpc = makeTestClient(ports: [port])
            let review = Review.Client(rpc)
            let checkpoint = SignedCheckpoint(try await review.createCheckpoint(CreateCheckpointRequest()))
            let entries = try await review.streamEvidence(StreamEvidenceRequest(fromSequence: 1)) { stream in
                var entries: [EvidenceLogEntry] = []
                for try await entry in stream {
                    entries.append(EvidenceLogEntry(entry))
                }
                return entries
            }
            let listed = try await review.listCheckpoints(ListCheckpointsRequest()).checkpoints.map(
                SignedCheckpoint.init
            )
            #expect(listed == [checkpoint])
            let report = EvidenceLogVerifier.verify(
                entries: entries,
                checkpoints: listed,
                trustedKeys: [evidence.signer.publicKey]
            )
            #expect(report.isValid && report.entryCount == checkpoint.size, "\(report.problems)")
            let export = CaseEvidenceExport(
                try await review.exportCaseEvidence(ExportCaseEvidenceRequest(refundID: "r-2"))
            )
            #expect(!export.entries.isEmpty && export.verify(trustedKeys: [evidence.signer.publicKey]).isValid)
            await rpc.close()
        }
    }

    @Test("an entry's bytes updated in the file: the row and the checkpoints after it are named")
    func editedRow() async throws {
        let evidence = try await populatedLog()
        let checkpoint = try await evidence.createCheckpoint()
        try evidence.tamper(
            "UPDATE evidence_log SET entry = CAST(REPLACE(CAST(entry AS TEXT), '\"index\":9,', '\"index\":99,') AS BLOB)"
                + " WHERE refund_id = 'r-bulk' AND sequence = (SELECT MIN(sequence) + 9 FROM evidence_log WHERE refund_id = 'r-bulk')"
        )
        let report = try await evidence.verify()
        let edited = try #require(report.problems.first)
        #expect(edited.kind == .hashMismatch)
        try #require(report.problems.map(\.kind) == [.hashMismatch, .checkpointMismatch])
        #expect(report.problems[1].sequence == checkpoint.size)
        let entry = try #require(try await evidence.stream(from: edited.sequence!).first)
        #expect(String(decoding: entry.entry, as: UTF8.self).contains("\"index\":99,"))
        // The service refuses to prove anything against a root the log no longer gives.
        let export = await #expect(throws: RPCError.self) { _ = try await evidence.export("r-1") }
        #expect(export?.code == .dataLoss)
    }

    @Test("a row deleted from the file shows as a gap and a broken link")
    func removedRow() async throws {
        let evidence = try await populatedLog()
        _ = try await evidence.createCheckpoint()
        try evidence.tamper("DELETE FROM evidence_log WHERE sequence = 700")
        let report = try await evidence.verify()
        try #require(report.problems.map(\.kind) == [.sequenceGap, .hashMismatch, .checkpointMismatch])
        #expect(report.problems[0].sequence == 701 && report.problems[0].message.contains("sequence 700 is missing"))
    }

    @Test("a tail truncated in the file is reported against the signed checkpoint")
    func truncatedTail() async throws {
        let evidence = try await populatedLog()
        let checkpoint = try await evidence.createCheckpoint()
        try evidence.tamper("DELETE FROM evidence_log WHERE sequence > ?", arguments: [checkpoint.size - 5])
        let report = try await evidence.verify()
        try #require(report.problems.map(\.kind) == [.truncated])
        #expect(report.problems[0].message.contains("ends at sequence \(checkpoint.size - 5)"))
        let refused = await #expect(throws: RPCError.self) { _ = try await evidence.createCheckpoint() }
        #expect(refused?.code == .dataLoss)
    }

    @Test("rows edited and re-hashed consistently pass the chain check but not the signed checkpoint")
    func rehashedRows() async throws {
        let evidence = try await populatedLog()
        let checkpoint = try await evidence.createCheckpoint()
        let bulk = try await evidence.store.read { db in try EvidenceStore.entries(db, refundID: "r-bulk") }
        let original = try #require(bulk.first)
        let forged = Array(
            String(decoding: original.entry, as: UTF8.self).replacing(#""index":0,"#, with: #""index":1000,"#).utf8
        )
        #expect(forged != original.entry)
        try evidence.rewrite(sequence: original.sequence, entry: forged)

        let report = try await evidence.verify()
        try #require(report.problems.map(\.kind) == [.checkpointMismatch])
        #expect(report.problems[0].sequence == checkpoint.size)
        #expect(report.problems[0].message.contains("chain head recomputed"))
        #expect(report.problems[0].message.contains("Merkle root recomputed"))
    }
}
