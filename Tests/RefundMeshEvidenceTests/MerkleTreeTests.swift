import RefundMeshEvidence
import Testing

/// RFC 6962 trees against the published test vectors of transparency-dev/merkle
/// (`testonly/constants.go`, `proof/verify_test.go`) and against a literal transcription of the
/// RFC's MTH and PATH definitions.
@Suite("Merkle tree (RFC 6962)")
struct MerkleTreeTests {
    /// transparency-dev/merkle's leaf inputs.
    static let leafInputs: [[UInt8]] = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ].map { hex($0) }

    /// Their roots for sizes 0 … 8.
    static let roots: [[UInt8]] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ].map { hex($0) }

    /// (0-based leaf index, tree size, audit path) from `proof/verify_test.go`.
    static let inclusionVectors: [(index: Int, size: Int, path: [String])] = [
        (
            0, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        ),
        (
            5, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (
            1, 5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        ),
    ]

    static var vectorTree: MerkleTree { MerkleTree(leafHashes: leafInputs.map(MerkleTree.leafHash)) }

    @Test("the empty tree's root is SHA-256 of the empty string")
    func emptyRoot() {
        #expect(MerkleTree().root() == Self.roots[0])
        #expect(MerkleTree.emptyRoot == Self.roots[0])
        #expect(MerkleFrontier().root == Self.roots[0])
    }

    @Test("roots of sizes 1…8 match the vectors, from the tree and from the frontier")
    func vectorRoots() {
        let tree = Self.vectorTree
        var frontier = MerkleFrontier()
        for size in 1...8 {
            frontier.append(leafHash: MerkleTree.leafHash(Self.leafInputs[size - 1]))
            #expect(tree.root(size: size) == Self.roots[size], "size \(size)")
            #expect(frontier.root == Self.roots[size], "size \(size)")
            #expect(
                MerkleTree(leafHashes: Self.leafInputs.prefix(size).map(MerkleTree.leafHash)).root() == Self.roots[size]
            )
        }
    }

    @Test("inclusion proofs match the vectors and verify")
    func vectorProofs() {
        let tree = Self.vectorTree
        for vector in Self.inclusionVectors {
            let path = vector.path.map(hex)
            #expect(
                tree.inclusionProof(index: vector.index, size: vector.size) == path,
                "\(vector.index)/\(vector.size)"
            )
            #expect(
                MerkleTree.verifyInclusion(
                    index: Int64(vector.index),
                    size: Int64(vector.size),
                    leafHash: MerkleTree.leafHash(Self.leafInputs[vector.index]),
                    path: path,
                    root: Self.roots[vector.size]
                )
            )
        }
    }

    @Test("corrupted vector proofs fail (the probes of transparency-dev/merkle's verify_test.go)")
    func corruptedVectorProofs() {
        let someHash = hex("abacaba000000000000000000000000000000000000000000060061e00123456")
        for vector in Self.inclusionVectors {
            let index = Int64(vector.index)
            let size = Int64(vector.size)
            let path = vector.path.map(hex)
            let root = Self.roots[vector.size]
            let leaf = MerkleTree.leafHash(Self.leafInputs[vector.index])
            var probes: [(String, Int64, Int64, [UInt8], [[UInt8]], [UInt8])] = [
                ("index - 1", index - 1, size, leaf, path, root),
                ("index + 1", index + 1, size, leaf, path, root),
                ("index ^ 2", index ^ 2, size, leaf, path, root),
                ("size * 2", index, size * 2, leaf, path, root),
                ("size / 2", index, size / 2, leaf, path, root),
                ("wrong leaf", index, size, Array("WrongLeaf".utf8), path, root),
                ("empty root", index, size, leaf, path, Self.roots[0]),
                ("random root", index, size, leaf, path, someHash),
                ("trailing garbage", index, size, leaf, path + [[]], root),
                ("trailing root", index, size, leaf, path + [root], root),
                ("preceding garbage", index, size, leaf, [[]] + path, root),
                ("preceding root", index, size, leaf, [root] + path, root),
                ("removed component", index, size, leaf, Array(path.dropLast()), root),
                ("inserted component", index, size, leaf, [path[0], someHash] + path.dropFirst(), root),
            ]
            for position in path.indices {
                var flipped = path
                flipped[position][0] ^= 8
                probes.append(("modified path[\(position)]", index, size, leaf, flipped, root))
            }
            for (name, index, size, leaf, path, root) in probes {
                let verified = MerkleTree.verifyInclusion(
                    index: index,
                    size: size,
                    leafHash: leaf,
                    path: path,
                    root: root
                )
                #expect(!verified, "\(name) verified for \(vector.index)/\(vector.size)")
            }
        }
    }

    @Test("every index of every tree of 1…33 leaves has a proof that verifies and matches the RFC's PATH")
    func allSmallTrees() {
        let entries = (0..<33).map { Array("entry \($0)".utf8) }
        let leaves = entries.map(MerkleTree.leafHash)
        let tree = MerkleTree(leafHashes: leaves)
        var frontier = MerkleFrontier()
        for size in 1...33 {
            frontier.append(leafHash: leaves[size - 1])
            let prefix = Array(leaves[0..<size])
            let root = tree.root(size: size)
            #expect(root == Reference.mth(prefix), "root of \(size)")
            #expect(frontier.root == root, "frontier root of \(size)")
            #expect(MerkleTree(leafHashes: prefix).root() == root)
            for index in 0..<size {
                let path = tree.inclusionProof(index: index, size: size)
                #expect(path == Reference.path(index, prefix), "path \(index)/\(size)")
                #expect(
                    MerkleTree.verifyInclusion(
                        index: Int64(index),
                        size: Int64(size),
                        leafHash: leaves[index],
                        path: path,
                        root: root
                    ),
                    "proof \(index)/\(size)"
                )
                // An altered leaf, an altered path element, another index: all fail.
                var altered = entries[index]
                altered.append(0x21)
                #expect(
                    !MerkleTree.verifyInclusion(
                        index: Int64(index),
                        size: Int64(size),
                        leafHash: MerkleTree.leafHash(altered),
                        path: path,
                        root: root
                    )
                )
                for position in path.indices {
                    var bad = path
                    bad[position][31] ^= 1
                    #expect(
                        !MerkleTree.verifyInclusion(
                            index: Int64(index),
                            size: Int64(size),
                            leafHash: leaves[index],
                            path: bad,
                            root: root
                        )
                    )
                }
                if size > 1 {
                    let other = (index + 1) % size
                    #expect(
                        !MerkleTree.verifyInclusion(
                            index: Int64(other),
                            size: Int64(size),
                            leafHash: leaves[index],
                            path: path,
                            root: root
                        ),
                        "leaf \(index)'s proof accepted for index \(other) of \(size)"
                    )
                }
            }
        }
    }

    @Test("a frontier survives storage and keeps growing to the same roots")
    func frontierSerialization() throws {
        let leaves = (0..<40).map { MerkleTree.leafHash(Array("e\($0)".utf8)) }
        let tree = MerkleTree(leafHashes: leaves)
        for cut in [0, 1, 5, 16, 23] {
            var frontier = MerkleFrontier()
            for leaf in leaves[0..<cut] { frontier.append(leafHash: leaf) }
            #expect(frontier.nodes.count == cut.nonzeroBitCount)
            var restored = try MerkleFrontier(size: frontier.size, serialized: frontier.serialized)
            #expect(restored == frontier)
            for leaf in leaves[cut...] { restored.append(leafHash: leaf) }
            #expect(restored.root == tree.root())
        }
        #expect(throws: EvidenceError.self) {
            try MerkleFrontier(size: 3, serialized: [UInt8](repeating: 0, count: 32))
        }
    }
}

/// RFC 6962 §2.1 written out literally, as a reference.
private enum Reference {
    static func k(_ n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }

    static func mth(_ leaves: [[UInt8]]) -> [UInt8] {
        if leaves.isEmpty { return MerkleTree.emptyRoot }
        if leaves.count == 1 { return leaves[0] }
        let k = k(leaves.count)
        return MerkleTree.nodeHash(mth(Array(leaves[..<k])), mth(Array(leaves[k...])))
    }

    static func path(_ m: Int, _ leaves: [[UInt8]]) -> [[UInt8]] {
        if leaves.count == 1 { return [] }
        let k = k(leaves.count)
        if m < k { return path(m, Array(leaves[..<k])) + [mth(Array(leaves[k...]))] }
        return path(m - k, Array(leaves[k...])) + [mth(Array(leaves[..<k]))]
    }
}

func hex(_ text: String) -> [UInt8] {
    EvidenceHex.decode(text)!
}
