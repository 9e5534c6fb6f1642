import Crypto

/// The RFC 6962 §2.1 Merkle tree over the evidence log's entries (R-R9), for roots and
/// inclusion proofs.
///
/// Leaf `i` (0-based) is the entry with sequence `i + 1`. Hashes follow RFC 6962 (and RFC 9162
/// §2.1.1): a leaf is `SHA-256(0x00 ‖ entry)`, an inner node `SHA-256(0x01 ‖ left ‖ right)`, the
/// empty tree `SHA-256("")`, and a tree of `n > 1` leaves splits at `k`, the largest power of two
/// smaller than `n`.
///
/// The tree keeps every complete, aligned subtree hash (about `2n` hashes, in flat buffers), so
/// after one pass over the leaves any root ``root(size:)`` or proof ``inclusionProof(index:size:)``
/// of a prefix costs `O(log n)` lookups and at most `O(log n)` hashes.
public struct MerkleTree: Sendable {
    /// SHA-256's output size.
    public static let hashSize = 32

    /// `levels[h]` holds the hashes of the complete subtrees of `2^h` leaves, left to right,
    /// each `hashSize` bytes; `levels[0]` the leaf hashes.
    private var levels: [[UInt8]] = [[]]

    /// How many leaves the tree holds.
    public private(set) var size: Int = 0

    /// An empty tree.
    public init() {}

    /// A tree over `leafHashes` (each ``leafHash(_:)`` of an entry), in log order.
    public init(leafHashes: some Sequence<[UInt8]>) {
        for hash in leafHashes { append(leafHash: hash) }
    }

    /// Adds the next leaf, given as its ``leafHash(_:)``.
    /// - Precondition: `leafHash` is 32 bytes.
    public mutating func append(leafHash: [UInt8]) {
        precondition(leafHash.count == Self.hashSize, "a leaf hash is \(Self.hashSize) bytes")
        levels[0].append(contentsOf: leafHash)
        size += 1
        // Each level gains a parent whenever it has just become even.
        var level = 0
        var count = size
        while count % 2 == 0 {
            let offset = (count - 2) * Self.hashSize
            let parent = Self.nodeHash(
                Array(levels[level][offset..<offset + Self.hashSize]),
                Array(levels[level][offset + Self.hashSize..<offset + 2 * Self.hashSize])
            )
            if levels.count == level + 1 { levels.append([]) }
            levels[level + 1].append(contentsOf: parent)
            level += 1
            count /= 2
        }
    }

    /// The Merkle tree hash of the first `size` leaves (all of them by default).
    /// - Precondition: `size` is at most ``size``.
    public func root(size: Int? = nil) -> [UInt8] {
        let size = size ?? self.size
        precondition(size >= 0 && size <= self.size, "root of \(size) leaves asked of a tree of \(self.size)")
        return size == 0 ? Self.emptyRoot : subtreeHash(start: 0, count: size)
    }

    /// The audit path `PATH(index, D[size])` of RFC 6962 §2.1.1: the sibling hashes from the leaf
    /// up to the root of the tree of the first `size` leaves.
    /// - Precondition: `0 <= index < size <= ` ``size``.
    public func inclusionProof(index: Int, size: Int? = nil) -> [[UInt8]] {
        let size = size ?? self.size
        precondition(size <= self.size && index >= 0 && index < size, "no leaf \(index) in a tree of \(size)")
        var start = 0
        var count = size
        var index = index
        var siblings: [[UInt8]] = []  // root to leaf; reversed at the end
        while count > 1 {
            let k = Self.largestPowerOfTwo(below: count)
            if index < k {
                siblings.append(subtreeHash(start: start + k, count: count - k))
                count = k
            } else {
                siblings.append(subtreeHash(start: start, count: k))
                start += k
                index -= k
                count -= k
            }
        }
        return siblings.reversed()
    }

    /// The hash of the `count` leaves from `start`, where `start` is a multiple of the largest
    /// power of two not above `count` (true of every subtree RFC 6962's recursion visits).
    private func subtreeHash(start: Int, count: Int) -> [UInt8] {
        if count & (count - 1) == 0 {
            let level = count.trailingZeroBitCount
            let offset = (start / count) * Self.hashSize
            return Array(levels[level][offset..<offset + Self.hashSize])
        }
        let k = Self.largestPowerOfTwo(below: count)
        return Self.nodeHash(subtreeHash(start: start, count: k), subtreeHash(start: start + k, count: count - k))
    }

    static func largestPowerOfTwo(below count: Int) -> Int {
        precondition(count > 1)
        return 1 << (Int.bitWidth - (count - 1).leadingZeroBitCount - 1)
    }
}

// MARK: Hashing

extension MerkleTree {
    /// The root of the empty tree: `SHA-256("")`.
    public static let emptyRoot: [UInt8] = Array(SHA256.hash(data: [UInt8]()))

    /// `SHA-256(0x00 ‖ entry)`: a leaf's hash.
    public static func leafHash(_ entry: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: entry)
        return Array(hasher.finalize())
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`: an inner node's hash.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }
}

// MARK: Verifying inclusion proofs

extension MerkleTree {
    /// The root an inclusion proof leads to, by RFC 9162 §2.1.3.2; nil when the proof cannot
    /// belong to a tree of `size` leaves (wrong length, an index outside the tree, a path element
    /// that is not 32 bytes).
    /// - Parameters:
    ///   - index: The leaf's 0-based index (the entry's sequence − 1).
    ///   - size: The tree's size (the checkpoint's size).
    ///   - leafHash: ``leafHash(_:)`` of the entry.
    ///   - path: The audit path, leaf to root.
    public static func rootFromInclusionProof(
        index: Int64,
        size: Int64,
        leafHash: [UInt8],
        path: [[UInt8]]
    ) -> [UInt8]? {
        guard index >= 0, index < size, leafHash.count == hashSize else { return nil }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in path {
            guard p.count == hashSize, sn != 0 else { return nil }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? r : nil
    }

    /// Whether `path` proves that the leaf with `leafHash` is leaf `index` of the tree of `size`
    /// leaves whose root is `root` (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(
        index: Int64,
        size: Int64,
        leafHash: [UInt8],
        path: [[UInt8]],
        root: [UInt8]
    ) -> Bool {
        rootFromInclusionProof(index: index, size: size, leafHash: leafHash, path: path) == root
    }
}
