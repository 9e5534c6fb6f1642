/// Verifies a whole evidence log against its signed checkpoints, without the database (R-R9).
///
/// Feed it the entries in the order they were read (``consume(_:)``), then ``finish()``; or call
/// ``verify(entries:checkpoints:trustedKeys:)``. It holds one Merkle frontier and a few hashes,
/// so a log of any length streams through it. It reports every problem, not only the first:
/// - sequence gaps (rows removed) and repeated or backward sequences;
/// - a stored chain hash that is not `SHA-256(previous stored hash ‖ SHA-256(entry))` (a row
///   edited). Checking each row against the stored hash of the row before names exactly the
///   rows that were touched, instead of every row after the first change;
/// - entries that are not canonical JSON records or whose `seq` field is not their sequence;
/// - checkpoints whose signature fails, or whose key is not trusted;
/// - checkpoints whose size, chain head or Merkle root differ from the log recomputed from its
///   entries at that size (which is how rows that were edited and then re-hashed consistently
///   show: nobody without the key can sign the rewritten head);
/// - a log that ends before a checkpoint's size (its tail removed).
public struct EvidenceLogVerifier: Sendable {
    /// What the verifier found.
    public struct Report: Sendable {
        /// Entries accepted (in sequence order).
        public var entryCount: Int64
        /// The highest sequence accepted (0 for an empty log).
        public var lastSequence: Int64
        /// The chain head recomputed from the entries.
        public var headHash: [UInt8]
        /// The Merkle root recomputed from the entries.
        public var merkleRoot: [UInt8]
        /// Checkpoints that were checked (all that were given).
        public var checkpointCount: Int
        /// The checkpoints whose signature, key, size, head and root all held.
        public var checkpointsVerified: Int
        /// Everything wrong; empty when the log verifies.
        public var problems: [EvidenceProblem]
        /// Things to know that are not problems (e.g. no trusted key was given).
        public var notes: [String]

        /// Whether nothing is wrong.
        public var isValid: Bool { problems.isEmpty }
    }

    private let trustedKeys: [[UInt8]]
    /// Not yet compared, by size ascending.
    private var pending: [SignedCheckpoint]
    private var checkpointCount: Int
    private var checkpointsVerified = 0
    private var problems: [EvidenceProblem] = []
    private var notes: [String] = []

    private var lastSequence: Int64 = 0
    private var entryCount: Int64 = 0
    /// The chain recomputed over the accepted entries alone.
    private var head = EvidenceChain.genesis
    /// The stored hash of the last accepted entry: what the next row's link is checked against.
    private var previousStored = EvidenceChain.genesis
    private var frontier = MerkleFrontier()

    /// - Parameters:
    ///   - checkpoints: The signed checkpoints to hold the log to, in any order (duplicates, e.g.
    ///     the service's list and a published copy of the same checkpoint, count once).
    ///   - trustedKeys: Public keys whose signatures count. Empty: each checkpoint's own key is
    ///     used, and the report notes that signatures then prove nothing about who signed.
    public init(checkpoints: [SignedCheckpoint], trustedKeys: [[UInt8]] = []) {
        self.trustedKeys = trustedKeys
        var seen = Set<SignedCheckpoint>()
        let checkpoints = checkpoints.filter { seen.insert($0).inserted }
        self.checkpointCount = checkpoints.count
        var valid: [SignedCheckpoint] = []
        for checkpoint in checkpoints {
            if let problem = checkpoint.signatureProblem() {
                problems.append(EvidenceProblem(.badSignature, "\(checkpoint.label): \(problem)"))
                continue
            }
            if !trustedKeys.isEmpty && !trustedKeys.contains(checkpoint.publicKey) {
                problems.append(
                    EvidenceProblem(
                        .untrustedKey,
                        "\(checkpoint.label): signed by \(EvidenceHex.encode(checkpoint.publicKey)), which is not a"
                            + " trusted key"
                    )
                )
                continue
            }
            valid.append(checkpoint)
        }
        if trustedKeys.isEmpty && !checkpoints.isEmpty {
            let keys = Set(checkpoints.map { EvidenceHex.encode($0.publicKey) }).sorted()
            notes.append(
                "no trusted public key given: signatures were checked against the key each checkpoint names ("
                    + keys.joined(separator: ", ") + "); pin the service's key to know who signed"
            )
        }
        self.pending = valid.sorted { ($0.size, $0.atMs) < ($1.size, $1.atMs) }
        compareCheckpoints(through: 0)
    }

    /// Checks the next entry of the log.
    public mutating func consume(_ entry: EvidenceLogEntry) {
        let sequence = entry.sequence
        if sequence <= lastSequence {
            problems.append(
                EvidenceProblem(
                    .sequenceOutOfOrder,
                    sequence: sequence,
                    "sequence \(sequence) comes after sequence \(lastSequence) (a repeated or reordered row); ignored"
                )
            )
            return
        }
        if sequence > lastSequence + 1 {
            let missing =
                sequence == lastSequence + 2
                ? "sequence \(lastSequence + 1) is" : "sequences \(lastSequence + 1)…\(sequence - 1) are"
            problems.append(
                EvidenceProblem(.sequenceGap, sequence: sequence, "\(missing) missing before it (rows removed)")
            )
            compareCheckpoints(through: sequence - 1)
        }
        problems.append(contentsOf: entry.contentProblems())
        let expected = EvidenceChain.link(previous: previousStored, entry: entry.entry)
        if entry.hash != expected {
            let cause =
                sequence == lastSequence + 1
                ? "the entry or its hash was changed"
                : "a row before it was removed, or the entry or its hash was changed"
            problems.append(
                EvidenceProblem(
                    .hashMismatch,
                    sequence: sequence,
                    "stored hash \(EvidenceHex.encode(entry.hash)) is not SHA-256(previous hash ‖ SHA-256(entry)) ="
                        + " \(EvidenceHex.encode(expected)): \(cause)"
                )
            )
        }
        head = EvidenceChain.link(previous: head, entry: entry.entry)
        previousStored = entry.hash
        frontier.append(leafHash: entry.leafHash)
        lastSequence = sequence
        entryCount += 1
        compareCheckpoints(through: sequence)
    }

    /// Ends the log and returns the report. Checkpoints larger than the log report it truncated.
    public mutating func finish() -> Report {
        for checkpoint in pending {
            problems.append(
                EvidenceProblem(
                    .truncated,
                    "the log ends at sequence \(lastSequence), but the \(checkpoint.label) covers \(checkpoint.size)"
                        + " entries: entries \(lastSequence + 1)…\(checkpoint.size) were removed"
                )
            )
        }
        pending = []
        return Report(
            entryCount: entryCount,
            lastSequence: lastSequence,
            headHash: head,
            merkleRoot: frontier.root,
            checkpointCount: checkpointCount,
            checkpointsVerified: checkpointsVerified,
            problems: problems,
            notes: notes
        )
    }

    /// Verifies `entries` (in stored order) against `checkpoints`.
    public static func verify(
        entries: some Sequence<EvidenceLogEntry>,
        checkpoints: [SignedCheckpoint],
        trustedKeys: [[UInt8]] = []
    ) -> Report {
        var verifier = EvidenceLogVerifier(checkpoints: checkpoints, trustedKeys: trustedKeys)
        for entry in entries { verifier.consume(entry) }
        return verifier.finish()
    }

    /// Compares the pending checkpoints of size ≤ `size` with the log as accepted so far (which
    /// holds the entries with sequences up to `size`).
    private mutating func compareCheckpoints(through size: Int64) {
        while let checkpoint = pending.first, checkpoint.size <= size {
            pending.removeFirst()
            var differences: [String] = []
            if entryCount != checkpoint.size {
                differences.append("the log has \(entryCount) of its \(checkpoint.size) entries")
            }
            if head != checkpoint.headHash {
                differences.append(
                    "chain head recomputed \(EvidenceHex.encode(head)), signed \(EvidenceHex.encode(checkpoint.headHash))"
                )
            }
            let root = frontier.root
            if root != checkpoint.merkleRoot {
                differences.append(
                    "Merkle root recomputed \(EvidenceHex.encode(root)), signed \(EvidenceHex.encode(checkpoint.merkleRoot))"
                )
            }
            if differences.isEmpty {
                checkpointsVerified += 1
            } else {
                problems.append(
                    EvidenceProblem(
                        .checkpointMismatch,
                        sequence: checkpoint.size,
                        "\(checkpoint.label) does not match the log: " + differences.joined(separator: "; ")
                            + " (an entry at or before \(checkpoint.size) was changed, removed or re-hashed)"
                    )
                )
            }
        }
    }
}
