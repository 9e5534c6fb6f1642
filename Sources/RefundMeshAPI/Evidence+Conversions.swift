import RefundMeshEvidence

// The evidence log's wire messages (review.proto) and RefundMeshEvidence's types, both ways:
// review sends what it signed, refundctl and tests verify what they received.

extension EvidenceCheckpoint {
    /// The wire form of a signed checkpoint.
    public init(_ checkpoint: SignedCheckpoint) {
        self.init(
            size: checkpoint.size,
            headHash: checkpoint.headHash,
            merkleRoot: checkpoint.merkleRoot,
            atMs: checkpoint.atMs,
            algorithm: checkpoint.algorithm,
            publicKey: checkpoint.publicKey,
            signature: checkpoint.signature
        )
    }
}

extension SignedCheckpoint {
    /// A checkpoint as review sent it.
    public init(_ checkpoint: EvidenceCheckpoint) {
        self.init(
            size: checkpoint.size,
            headHash: checkpoint.headHash,
            merkleRoot: checkpoint.merkleRoot,
            atMs: checkpoint.atMs,
            algorithm: checkpoint.algorithm,
            publicKey: checkpoint.publicKey,
            signature: checkpoint.signature
        )
    }
}

extension EvidenceLogEntry {
    /// An entry as review streamed it.
    public init(_ entry: EvidenceEntry) {
        self.init(sequence: entry.sequence, entry: entry.entry, hash: entry.hash)
    }
}

extension CaseEvidenceExport {
    /// The export of what review sent.
    public init(_ evidence: CaseEvidence) {
        self.init(
            refundID: evidence.refundID,
            checkpoint: SignedCheckpoint(evidence.checkpoint ?? EvidenceCheckpoint()),
            entries: zip(evidence.entries, evidence.proofs).map { entry, proof in
                Entry(
                    sequence: entry.sequence,
                    entry: String(decoding: entry.entry, as: UTF8.self),
                    chainHash: entry.hash,
                    inclusionPath: proof.path
                )
            }
        )
    }
}
