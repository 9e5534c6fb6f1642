import RefundMeshEvidence

/// An evidence log built in memory the way review's store builds it.
enum EvidenceLogFixture {
    static let atMs: Int64 = 1_764_000_000_000

    /// `count` records for refunds r-1 … r-3 in turn, chained from the genesis.
    static func records(_ count: Int) -> [EvidenceRecord] {
        var records: [EvidenceRecord] = []
        for sequence in Int64(1)...Int64(max(count, 1)) where sequence <= count {
            let data: [String: EvidenceValue] = [
                "note": .string("entry \(sequence) — 退款 \"quoted\"\n"),
                "amount_fen": .integer(sequence * 100),
            ]
            records.append(
                EvidenceRecord(
                    sequence: sequence,
                    atMs: atMs + sequence,
                    kind: sequence % 2 == 0 ? "fact" : "decision",
                    refundID: "r-\(sequence % 3 + 1)",
                    orderID: "o-\(sequence % 3 + 1)",
                    actor: "system",
                    data: data
                )
            )
        }
        return records
    }

    static func log(_ count: Int) -> [EvidenceLogEntry] {
        chain(records(count).map(\.canonicalBytes))
    }

    /// Entries `sequence = 1, 2, …` over `entries`, each hash linked to the one before.
    static func chain(_ entries: [[UInt8]], firstSequence: Int64 = 1) -> [EvidenceLogEntry] {
        var previous = EvidenceChain.genesis
        return entries.enumerated().map { offset, entry in
            let hash = EvidenceChain.link(previous: previous, entry: entry)
            previous = hash
            return EvidenceLogEntry(sequence: firstSequence + Int64(offset), entry: entry, hash: hash)
        }
    }

    /// A checkpoint of the first `size` entries of `log`, signed by `signer`.
    static func checkpoint(_ log: [EvidenceLogEntry], size: Int, signer: EvidenceSigner) throws -> SignedCheckpoint {
        let prefix = log.prefix(size)
        let tree = MerkleTree(leafHashes: prefix.map(\.leafHash))
        return try signer.sign(
            CheckpointStatement(
                size: Int64(size),
                headHash: prefix.last?.hash ?? EvidenceChain.genesis,
                merkleRoot: tree.root(),
                atMs: atMs + Int64(size) * 1000
            )
        )
    }
}
