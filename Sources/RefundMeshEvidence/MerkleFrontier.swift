/// The right edge of an RFC 6962 Merkle tree: the roots of its complete subtrees, largest first
/// (RFC 9162's "compact range" from leaf 0), which is all it takes to append more leaves and to
/// compute the root.
///
/// It holds one hash per set bit of ``size``, so the checkpointer can store it with a checkpoint
/// and hash only the entries added since, and a verifier can follow a log of any length in
/// constant memory.
public struct MerkleFrontier: Sendable, Hashable {
    /// How many leaves have been appended.
    public private(set) var size: Int64 = 0
    /// The complete subtrees' roots, left to right (largest first).
    public private(set) var nodes: [[UInt8]] = []

    /// The frontier of the empty tree.
    public init() {}

    /// A frontier stored as ``serialized`` for a tree of `size` leaves.
    /// - Throws: ``EvidenceError`` (``EvidenceError/Code/malformed``) when `bytes` does not hold
    ///   one 32-byte hash per set bit of `size`.
    public init(size: Int64, serialized bytes: [UInt8]) throws {
        let expected = size.nonzeroBitCount * MerkleTree.hashSize
        guard size >= 0, bytes.count == expected else {
            throw EvidenceError(
                code: .malformed,
                message: "a Merkle frontier of \(size) leaves is \(expected) bytes, not \(bytes.count)"
            )
        }
        self.size = size
        self.nodes = stride(from: 0, to: bytes.count, by: MerkleTree.hashSize).map {
            Array(bytes[$0..<$0 + MerkleTree.hashSize])
        }
    }

    /// The nodes concatenated, for storage.
    public var serialized: [UInt8] { nodes.flatMap { $0 } }

    /// Adds the next leaf, given as its ``MerkleTree/leafHash(_:)``.
    public mutating func append(leafHash: [UInt8]) {
        var node = leafHash
        var carry = size
        // Each trailing one of the old size is a complete subtree the new leaf completes.
        while carry & 1 == 1 {
            node = MerkleTree.nodeHash(nodes.removeLast(), node)
            carry >>= 1
        }
        nodes.append(node)
        size += 1
    }

    /// The Merkle tree hash of all appended leaves.
    public var root: [UInt8] {
        guard var root = nodes.last else { return MerkleTree.emptyRoot }
        for node in nodes.dropLast().reversed() { root = MerkleTree.nodeHash(node, root) }
        return root
    }
}
