/// One row of the evidence log as stored and streamed (R-R9): its sequence, the canonical JSON
/// bytes of its ``EvidenceRecord``, and its chain hash.
public struct EvidenceLogEntry: Sendable, Hashable {
    /// 1, 2, 3, … without gaps.
    public var sequence: Int64
    /// The canonical JSON text of the record, exactly as hashed.
    public var entry: [UInt8]
    /// `SHA-256(previous hash ‖ SHA-256(entry))` (``EvidenceChain/link(previous:entry:)``).
    public var hash: [UInt8]

    public init(sequence: Int64, entry: [UInt8], hash: [UInt8]) {
        self.sequence = sequence
        self.entry = entry
        self.hash = hash
    }

    /// The entry's RFC 6962 leaf hash.
    public var leafHash: [UInt8] { MerkleTree.leafHash(entry) }
}
