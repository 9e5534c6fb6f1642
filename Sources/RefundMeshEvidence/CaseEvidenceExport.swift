import Foundation

/// A refund's evidence (R-R9), checkable by anyone without the database: its entries with their
/// RFC 6962 inclusion proofs against one signed checkpoint.
///
/// The JSON (docs/EVIDENCE.md) has stable field names, hashes in lower-case hex, and each entry
/// as the exact JSON text that was hashed:
/// ```json
/// {
///   "format": "refundmesh-case-evidence/v1",
///   "refund_id": "r-1",
///   "checkpoint": {"size": 12, "head_hash": "…", "merkle_root": "…", "at_ms": 1764000000000,
///                  "algorithm": "Ed25519", "public_key": "…", "signature": "…"},
///   "entries": [{"sequence": 3, "entry": "{\"actor\":\"system\",…}", "chain_hash": "…",
///                "inclusion_path": ["…", "…"]}]
/// }
/// ```
public struct CaseEvidenceExport: Sendable, Hashable, Codable {
    /// The value of ``format`` this version writes and reads.
    public static let formatV1 = "refundmesh-case-evidence/v1"

    /// One entry of the case with its proof.
    public struct Entry: Sendable, Hashable, Codable {
        /// Its sequence; its leaf index in the tree is `sequence − 1`.
        public var sequence: Int64
        /// The entry's canonical JSON text, exactly as hashed (as UTF-8).
        public var entry: String
        /// Its chain hash in the log, for matching it against a full copy of the log.
        public var chainHash: [UInt8]
        /// `PATH(sequence − 1, D[checkpoint.size])`, leaf to root.
        public var inclusionPath: [[UInt8]]

        public init(sequence: Int64, entry: String, chainHash: [UInt8], inclusionPath: [[UInt8]]) {
            self.sequence = sequence
            self.entry = entry
            self.chainHash = chainHash
            self.inclusionPath = inclusionPath
        }

        private enum CodingKeys: String, CodingKey {
            case sequence
            case entry
            case chainHash = "chain_hash"
            case inclusionPath = "inclusion_path"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            sequence = try container.decode(Int64.self, forKey: .sequence)
            entry = try container.decode(String.self, forKey: .entry)
            chainHash = try container.decodeHex(forKey: .chainHash)
            let path = try container.decode([String].self, forKey: .inclusionPath)
            inclusionPath = try path.map { text in
                guard let bytes = EvidenceHex.decode(text) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .inclusionPath,
                        in: container,
                        debugDescription: "\"\(text)\" is not hex"
                    )
                }
                return bytes
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(sequence, forKey: .sequence)
            try container.encode(entry, forKey: .entry)
            try container.encode(EvidenceHex.encode(chainHash), forKey: .chainHash)
            try container.encode(inclusionPath.map { EvidenceHex.encode($0) }, forKey: .inclusionPath)
        }
    }

    /// ``formatV1``.
    public var format: String
    public var refundID: String
    /// The checkpoint every proof leads to.
    public var checkpoint: SignedCheckpoint
    /// The case's entries in sequence order.
    public var entries: [Entry]

    public init(refundID: String, checkpoint: SignedCheckpoint, entries: [Entry], format: String = Self.formatV1) {
        self.format = format
        self.refundID = refundID
        self.checkpoint = checkpoint
        self.entries = entries
    }

    private enum CodingKeys: String, CodingKey {
        case format
        case refundID = "refund_id"
        case checkpoint
        case entries
    }
}

// MARK: JSON

extension CaseEvidenceExport {
    /// The export as pretty-printed JSON with sorted keys, ending in a newline.
    public func jsonBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// Reads an export.
    /// - Throws: ``EvidenceError`` (``EvidenceError/Code/malformed``) saying what is missing.
    public static func decode(json: [UInt8]) throws -> CaseEvidenceExport {
        do {
            return try JSONDecoder().decode(CaseEvidenceExport.self, from: Data(json))
        } catch {
            throw EvidenceError(code: .malformed, message: "not a case evidence export: \(error)", cause: error)
        }
    }
}

// MARK: Verifying

extension CaseEvidenceExport {
    /// What ``verify(trustedKeys:)`` found.
    public struct Verification: Sendable {
        /// Everything wrong; empty when the export verifies.
        public var problems: [EvidenceProblem]
        /// Whether the checkpoint's key is one of the trusted keys; nil when none were given (the
        /// signature was then checked with the key the export names, which proves only that the
        /// export is internally consistent).
        public var keyTrusted: Bool?
        public var entryCount: Int

        /// Whether nothing is wrong.
        public var isValid: Bool { problems.isEmpty }
    }

    /// Checks the export on its own: the format, the checkpoint's signature (and whether its key
    /// is trusted), and for every entry its content (canonical JSON, `seq`, `refund_id`) and its
    /// inclusion proof against the checkpoint's Merkle root. An entry whose sequence is the
    /// checkpoint's size must also carry the signed chain head.
    /// - Parameter trustedKeys: Public keys whose signatures count; empty to use the embedded key.
    public func verify(trustedKeys: [[UInt8]] = []) -> Verification {
        var problems: [EvidenceProblem] = []
        if format != Self.formatV1 {
            problems.append(EvidenceProblem(.malformedExport, "format is \"\(format)\", not \"\(Self.formatV1)\""))
        }
        if refundID.isEmpty { problems.append(EvidenceProblem(.malformedExport, "refund_id is empty")) }
        if entries.isEmpty { problems.append(EvidenceProblem(.malformedExport, "the export has no entries")) }
        if let problem = checkpoint.signatureProblem() {
            problems.append(EvidenceProblem(.badSignature, "\(checkpoint.label): \(problem)"))
        }
        var keyTrusted: Bool?
        if !trustedKeys.isEmpty {
            keyTrusted = trustedKeys.contains(checkpoint.publicKey)
            if keyTrusted == false {
                problems.append(
                    EvidenceProblem(
                        .untrustedKey,
                        "\(checkpoint.label): signed by \(EvidenceHex.encode(checkpoint.publicKey)), which is not a"
                            + " trusted key"
                    )
                )
            }
        }
        var previous: Int64 = 0
        for item in entries {
            let sequence = item.sequence
            if sequence <= previous {
                problems.append(
                    EvidenceProblem(.sequenceOutOfOrder, sequence: sequence, "entries must be in ascending sequence")
                )
            }
            previous = max(previous, sequence)
            let entry = EvidenceLogEntry(sequence: sequence, entry: Array(item.entry.utf8), hash: item.chainHash)
            problems.append(contentsOf: entry.contentProblems(refundID: refundID))
            guard sequence >= 1, sequence <= checkpoint.size else {
                problems.append(
                    EvidenceProblem(
                        .inclusionProofInvalid,
                        sequence: sequence,
                        "sequence is outside the checkpoint's \(checkpoint.size) entries"
                    )
                )
                continue
            }
            let root = MerkleTree.rootFromInclusionProof(
                index: sequence - 1,
                size: checkpoint.size,
                leafHash: entry.leafHash,
                path: item.inclusionPath
            )
            if root != checkpoint.merkleRoot {
                let led = root.map { "leads to \(EvidenceHex.encode($0))" } ?? "has the wrong shape for the tree"
                problems.append(
                    EvidenceProblem(
                        .inclusionProofInvalid,
                        sequence: sequence,
                        "the inclusion path \(led), not the checkpoint's Merkle root"
                            + " \(EvidenceHex.encode(checkpoint.merkleRoot)): the entry or its path was changed"
                    )
                )
            }
            if sequence == checkpoint.size && item.chainHash != checkpoint.headHash {
                problems.append(
                    EvidenceProblem(
                        .hashMismatch,
                        sequence: sequence,
                        "the last entry's chain hash \(EvidenceHex.encode(item.chainHash)) is not the signed head"
                            + " \(EvidenceHex.encode(checkpoint.headHash))"
                    )
                )
            }
        }
        return Verification(problems: problems, keyTrusted: keyTrusted, entryCount: entries.count)
    }
}
