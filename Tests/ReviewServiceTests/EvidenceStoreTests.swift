import Foundation
import GRDB
import RefundMeshEvidence
import RefundMeshStore
import ReviewService
import Testing

/// The evidence log's table and its checkpoints, straight through ``EvidenceStore``.
@Suite("evidence store")
struct EvidenceStoreTests {
    @Test("appends chain from the genesis; reads page, filter by refund and rebuild the tree")
    func appendAndRead() async throws {
        let evidence = try EvidenceFixture()
        try await evidence.append(5, refundID: "r-1")
        try await evidence.append(3, refundID: "r-2")
        let (size, page, second, mine, tree) = try await evidence.store.read { db in
            (
                try EvidenceStore.size(db),
                try EvidenceStore.entries(db, from: 1, limit: 4),
                try EvidenceStore.entries(db, from: 5, through: 6, limit: 100),
                try EvidenceStore.entries(db, refundID: "r-2"),
                try EvidenceStore.merkleTree(db, size: 8)
            )
        }
        #expect(size == 8)
        #expect(page.map(\.sequence) == [1, 2, 3, 4])
        #expect(second.map(\.sequence) == [5, 6])
        #expect(mine.map(\.sequence) == [6, 7, 8])
        #expect(page[0].hash == EvidenceChain.link(previous: EvidenceChain.genesis, entry: page[0].entry))
        #expect(page[1].hash == EvidenceChain.link(previous: page[0].hash, entry: page[1].entry))
        let record = try EvidenceValue.parse(mine[0].entry)
        #expect(record["seq"]?.integerValue == 6 && record["refund_id"]?.stringValue == "r-2")
        #expect(record["kind"]?.stringValue == "fact" && record["v"]?.integerValue == 1)
        #expect(tree.size == 8)
        let all = try await evidence.stream()
        #expect(tree.root() == MerkleTree(leafHashes: all.map(\.leafHash)).root())
    }

    @Test("a checkpoint is signed only when the log grew, hashes only new entries, and re-signs for a new key")
    func checkpoints() async throws {
        let evidence = try EvidenceFixture()
        let signer = evidence.signer
        let empty = try await evidence.store.write { db in
            try EvidenceStore.checkpoint(db, signer: signer, atMs: 1)
        }
        #expect(empty.size == 0 && empty.headHash == EvidenceChain.genesis && empty.merkleRoot == MerkleTree.emptyRoot)

        try await evidence.append(7, refundID: "r-1")
        let first = try await evidence.store.write { db in try EvidenceStore.checkpoint(db, signer: signer, atMs: 2) }
        let again = try await evidence.store.write { db in try EvidenceStore.checkpoint(db, signer: signer, atMs: 3) }
        #expect(first.size == 7 && again == first)

        try await evidence.append(6, refundID: "r-2")
        let second = try await evidence.store.write { db in try EvidenceStore.checkpoint(db, signer: signer, atMs: 4) }
        let entries = try await evidence.stream()
        #expect(second.size == 13 && second.atMs == 4)
        #expect(second.headHash == entries.last?.hash)
        // Built from the stored frontier of 7 plus 6 new leaves: the same root as from scratch.
        #expect(second.merkleRoot == MerkleTree(leafHashes: entries.map(\.leafHash)).root())
        #expect(second.hasValidSignature(publicKey: signer.publicKey))

        let rotated = EvidenceSigner()
        let resigned = try await evidence.store.write { db in try EvidenceStore.checkpoint(db, signer: rotated, atMs: 5)
        }
        #expect(
            resigned.size == 13 && resigned.publicKey == rotated.publicKey && resigned.merkleRoot == second.merkleRoot
        )

        let listed = try await evidence.store.read { db in try EvidenceStore.checkpoints(db) }
        #expect(listed == [empty, first, second, resigned])
        #expect(try await evidence.store.read { db in try EvidenceStore.latestCheckpoint(db) } == resigned)
    }

    @Test("checkpoints and the tree read the log a page at a time, across page ends, with the same result (R-R9)")
    func pagedScans() async throws {
        let evidence = try EvidenceFixture()
        let signer = evidence.signer
        // More than two pages, not a multiple of one, with a checkpoint ending inside a page.
        let page = 1000
        try await evidence.append(page + 7, refundID: "r-1")
        let first = try await evidence.store.write { db in try EvidenceStore.checkpoint(db, signer: signer, atMs: 1) }
        try await evidence.append(page + 338, refundID: "r-2")
        let second = try await evidence.store.write { db in try EvidenceStore.checkpoint(db, signer: signer, atMs: 2) }
        let all = try await evidence.stream()
        #expect(all.count == 2 * page + 345)
        #expect(first.size == Int64(page + 7))
        #expect(second.size == Int64(all.count) && second.headHash == all.last?.hash)
        #expect(second.merkleRoot == MerkleTree(leafHashes: all.map(\.leafHash)).root())
        let tree = try await evidence.store.read { db in try EvidenceStore.merkleTree(db, size: Int64(all.count)) }
        #expect(tree.root() == second.merkleRoot)
        // A tree over a prefix that ends exactly at a page end.
        let prefix = try await evidence.store.read { db in try EvidenceStore.merkleTree(db, size: Int64(page)) }
        #expect(prefix.root() == MerkleTree(leafHashes: all.prefix(page).map(\.leafHash)).root())
    }

    @Test("nothing is signed over rows edited or removed since the last checkpoint, nor over a shortened log")
    func refusesToSignTamperedRows() async throws {
        let evidence = try EvidenceFixture()
        let signer = evidence.signer
        try await evidence.append(4, refundID: "r-1")
        _ = try await evidence.createCheckpoint()
        try await evidence.append(4, refundID: "r-1")

        try evidence.tamper("UPDATE evidence_log SET entry = CAST('{}' AS BLOB) WHERE sequence = 6")
        let edited = await #expect(throws: EvidenceError.self) {
            try await evidence.store.write { db in try EvidenceStore.checkpoint(db, signer: signer, atMs: 9) }
        }
        #expect(edited?.code == .logInconsistent)
        #expect(edited?.message.contains("entry 6") == true)

        try evidence.tamper("DELETE FROM evidence_log WHERE sequence = 6")
        let removed = await #expect(throws: EvidenceError.self) {
            try await evidence.store.write { db in try EvidenceStore.checkpoint(db, signer: signer, atMs: 9) }
        }
        #expect(removed?.message.contains("entry 6 is missing") == true)

        try evidence.tamper("DELETE FROM evidence_log WHERE sequence >= 3")
        let truncated = await #expect(throws: EvidenceError.self) {
            try await evidence.store.write { db in try EvidenceStore.checkpoint(db, signer: signer, atMs: 9) }
        }
        #expect(truncated?.message.contains("tail was removed") == true)
        #expect(try await evidence.store.read { db in try EvidenceStore.checkpoints(db) }.count == 1)
    }

    @Test("verified in a read, signed in a write: entries added meanwhile wait for the next checkpoint (R-R9)")
    func verifiedInAReadSignedInAWrite() async throws {
        let evidence = try EvidenceFixture()
        let signer = evidence.signer
        try await evidence.append(5, refundID: "r-1")
        let head = try await verifiedHead(evidence)
        // The service goes on writing between the verification and the checkpoint.
        try await evidence.append(3, refundID: "r-2")
        let stored = try await storeCheckpoint(head, in: evidence, atMs: 2)
        let all = try await evidence.stream()
        #expect(stored?.size == 5 && stored?.headHash == all[4].hash)
        #expect(stored?.merkleRoot == MerkleTree(leafHashes: all.prefix(5).map(\.leafHash)).root())
        #expect(stored?.hasValidSignature(publicKey: signer.publicKey) == true)
        // The same verified head again: a checkpoint was stored since it was made, so verify again.
        let stale = try await storeCheckpoint(head, in: evidence, atMs: 3)
        #expect(stale == nil)
        // The next round starts from the stored checkpoint and covers the three added meanwhile.
        let next = try await evidence.store.write { db in try EvidenceStore.checkpoint(db, signer: signer, atMs: 4) }
        #expect(next.size == 8 && next.merkleRoot == MerkleTree(leafHashes: all.map(\.leafHash)).root())
        let upToDate = try await evidence.store.read { db in try EvidenceStore.verifyHead(db, for: signer) }
        guard case .upToDate(let latest) = upToDate else {
            Issue.record("a checkpoint of the whole log leaves nothing to sign")
            return
        }
        #expect(latest == next)
    }

    @Test("a verified head whose last entry was replaced before the write is not signed (R-R9)")
    func replacedTailIsNotSigned() async throws {
        let evidence = try EvidenceFixture()
        try await evidence.append(4, refundID: "r-1")
        let head = try await verifiedHead(evidence)
        try evidence.tamper("UPDATE evidence_log SET hash = zeroblob(32) WHERE sequence = 4")
        let replaced = await #expect(throws: EvidenceError.self) {
            try await storeCheckpoint(head, in: evidence, atMs: 2)
        }
        #expect(replaced?.code == .logInconsistent)
        #expect(replaced?.message.contains("entry 4") == true)
        #expect(try await evidence.store.read { db in try EvidenceStore.checkpoints(db) }.isEmpty)
    }

    /// A verification of the log in a read, which must find entries to sign.
    private func verifiedHead(_ evidence: EvidenceFixture) async throws -> EvidenceStore.VerifiedHead {
        let signer = evidence.signer
        let plan = try await evidence.store.read { db in try EvidenceStore.verifyHead(db, for: signer) }
        var head: EvidenceStore.VerifiedHead?
        if case .sign(let verified) = plan { head = verified }
        return try #require(head, "a grown log must need a checkpoint")
    }

    /// Signs and stores `head` in a write of its own, as review's checkpointer does.
    private func storeCheckpoint(
        _ head: EvidenceStore.VerifiedHead,
        in evidence: EvidenceFixture,
        atMs: Int64
    ) async throws -> SignedCheckpoint? {
        let signer = evidence.signer
        return try await evidence.store.write { db in
            try EvidenceStore.storeCheckpoint(db, head, signer: signer, atMs: atMs)
        }
    }
}
