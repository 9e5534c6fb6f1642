import Foundation
import GRDB
import RefundMeshEvidence
import RefundMeshStore

// R-R9: signed checkpoints of the evidence log, and inclusion proofs against them.
extension EvidenceStore {
    /// The signed checkpoints, oldest first. `frontier` is the Merkle tree's right edge at
    /// `size` (``MerkleFrontier``), so the next checkpoint hashes only the entries added since.
    /// Add it to `ReviewStore.migrations` after ``migration``.
    public static let checkpointsMigration = StoreMigration("review.6.evidence-checkpoints") { db in
        try db.execute(
            sql: """
                CREATE TABLE evidence_checkpoints (
                    id INTEGER PRIMARY KEY NOT NULL,
                    size INTEGER NOT NULL,
                    head_hash BLOB NOT NULL,
                    merkle_root BLOB NOT NULL,
                    at_ms INTEGER NOT NULL,
                    algorithm TEXT NOT NULL,
                    public_key BLOB NOT NULL,
                    signature BLOB NOT NULL,
                    frontier BLOB NOT NULL
                );
                """
        )
    }

    /// Signs the log's current head if it grew since the latest checkpoint (or that one was
    /// signed with another key), stores the checkpoint and returns it; otherwise returns the
    /// latest. An empty log gets a checkpoint of size 0.
    ///
    /// Before signing, every entry added since the latest checkpoint is checked to follow it
    /// without gaps and to chain from its head, so the service never signs over rows that were
    /// edited or removed. Call it inside a write transaction; a service under load verifies in a
    /// read first and writes only the checkpoint (``verifyHead(_:for:)``,
    /// ``storeCheckpoint(_:_:signer:atMs:)``).
    /// - Throws: ``EvidenceError`` (``EvidenceError/Code/logInconsistent``) when the log is
    ///   shorter than the latest checkpoint or the new entries do not chain.
    @discardableResult
    public static func checkpoint(_ db: some SQLSession, signer: EvidenceSigner, atMs: Int64) throws -> SignedCheckpoint
    {
        switch try verifyHead(db, for: signer) {
        case .upToDate(let latest):
            return latest
        case .sign(let head):
            // One transaction: nothing can have moved since the verification.
            guard let signed = try storeCheckpoint(db, head, signer: signer, atMs: atMs) else {
                throw EvidenceError(code: .logInconsistent, message: "the evidence log changed inside one transaction")
            }
            return signed
        }
    }

    /// What a checkpoint round has to do.
    public enum CheckpointPlan: Sendable {
        /// Nothing: the latest checkpoint covers the whole log and is signed with this key.
        case upToDate(SignedCheckpoint)
        /// Sign this verified head.
        case sign(VerifiedHead)
    }

    /// The log verified from the latest checkpoint up to `size`: what the next checkpoint signs.
    public struct VerifiedHead: Sendable {
        /// The checkpoint the verification started from; nil: the log's start.
        public let basedOn: SignedCheckpoint?
        /// Entries covered.
        public let size: Int64
        /// The hash chain's head at `size`.
        public let headHash: [UInt8]
        let frontier: MerkleFrontier
    }

    /// Checks every entry added since the latest checkpoint (R-R9): that they follow it without
    /// gaps and chain from its head. Only reads, so it can run in a read transaction while the
    /// service goes on writing: after a busy minute at 120 refunds/s it hashes ~29,000 entries,
    /// about 130 ms here, which as part of the write stalled every other write of review.
    ///
    /// What is then signed is exactly what was verified (the head hash and the Merkle root of
    /// these entries), so a row edited after this read no longer matches the signed checkpoint
    /// and fails `refundctl evidence verify`, like an edit made after the signature.
    /// - Throws: ``EvidenceError`` (``EvidenceError/Code/logInconsistent``) when the log is
    ///   shorter than the latest checkpoint or the new entries do not chain.
    public static func verifyHead(_ db: some SQLSession, for signer: EvidenceSigner) throws -> CheckpointPlan {
        let latest = try latestStored(db)
        let size = try self.size(db)
        if let latest {
            guard latest.checkpoint.size <= size else {
                throw EvidenceError(
                    code: .logInconsistent,
                    message:
                        "the evidence log ends at sequence \(size), but the \(latest.checkpoint.label) covers"
                        + " \(latest.checkpoint.size) entries: its tail was removed; nothing is signed over it"
                )
            }
            if latest.checkpoint.size == size && latest.checkpoint.publicKey == signer.publicKey {
                return .upToDate(latest.checkpoint)
            }
        }
        var frontier = latest?.frontier ?? MerkleFrontier()
        var head = latest?.checkpoint.headHash ?? EvidenceChain.genesis
        try forEachEntry(db, after: frontier.size, through: size) { entry in
            guard entry.sequence == frontier.size + 1 else { throw missing(frontier.size + 1) }
            guard EvidenceChain.link(previous: head, entry: entry.entry) == entry.hash else {
                throw EvidenceError(
                    code: .logInconsistent,
                    message:
                        "evidence entry \(entry.sequence)'s stored hash does not chain from the entry before it (a"
                        + " row was edited); nothing is signed over it; run `refundctl evidence verify`"
                )
            }
            frontier.append(leafHash: entry.leafHash)
            head = entry.hash
        }
        guard frontier.size == size else { throw missing(frontier.size + 1) }
        return .sign(VerifiedHead(basedOn: latest?.checkpoint, size: size, headHash: head, frontier: frontier))
    }

    /// Signs and stores a checkpoint of `head`, in a write transaction. Returns nil when another
    /// checkpoint was stored since `head` was verified (another replica's, or an operator's):
    /// verify again from that one.
    /// - Throws: ``EvidenceError`` (``EvidenceError/Code/logInconsistent``) when the log no
    ///   longer ends with what was verified at `head.size` (its tail was removed or replaced).
    public static func storeCheckpoint(
        _ db: some SQLSession,
        _ head: VerifiedHead,
        signer: EvidenceSigner,
        atMs: Int64
    ) throws -> SignedCheckpoint? {
        guard try latestStored(db)?.checkpoint == head.basedOn else { return nil }
        if head.size > 0 {
            let stored = try db.value(Data.self, "SELECT hash FROM evidence_log WHERE sequence = ?", [head.size])
            guard let stored, [UInt8](stored) == head.headHash else {
                throw EvidenceError(
                    code: .logInconsistent,
                    message:
                        "evidence entry \(head.size) changed or went while its checkpoint was being made; nothing is"
                        + " signed over it; run `refundctl evidence verify`"
                )
            }
        }
        let frontier = head.frontier
        let signed = try signer.sign(
            CheckpointStatement(size: frontier.size, headHash: head.headHash, merkleRoot: frontier.root, atMs: atMs)
        )
        try db.run(
            """
            INSERT INTO evidence_checkpoints
                (size, head_hash, merkle_root, at_ms, algorithm, public_key, signature, frontier)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                signed.size, Data(signed.headHash), Data(signed.merkleRoot), signed.atMs, signed.algorithm,
                Data(signed.publicKey), Data(signed.signature), Data(frontier.serialized),
            ]
        )
        return signed
    }

    /// The latest signed checkpoint, nil before the first.
    public static func latestCheckpoint(_ db: some SQLSession) throws -> SignedCheckpoint? {
        try latestStored(db)?.checkpoint
    }

    /// Every signed checkpoint, oldest first.
    public static func checkpoints(_ db: some SQLSession) throws -> [SignedCheckpoint] {
        try db.rows("SELECT * FROM evidence_checkpoints ORDER BY id").map(
            signedCheckpoint
        )
    }

    /// Each entry's audit path in the tree of `checkpoint.size` entries, in the order given.
    /// - Throws: ``EvidenceError`` (``EvidenceError/Code/logInconsistent``) when the stored
    ///   entries no longer give the checkpoint's Merkle root (rows changed since it was signed),
    ///   or an entry lies beyond it.
    public static func inclusionProofs(
        _ db: some SQLSession,
        for entries: [EvidenceLogEntry],
        checkpoint: SignedCheckpoint
    ) throws -> [[[UInt8]]] {
        let tree = try merkleTree(db, size: checkpoint.size)
        guard tree.root() == checkpoint.merkleRoot else {
            throw EvidenceError(
                code: .logInconsistent,
                message:
                    "the evidence log's first \(checkpoint.size) entries no longer give the Merkle root of the"
                    + " \(checkpoint.label) (rows changed since); run `refundctl evidence verify`"
            )
        }
        return try entries.map { entry in
            guard entry.sequence >= 1 && entry.sequence <= checkpoint.size else {
                throw EvidenceError(
                    code: .logInconsistent,
                    message: "evidence entry \(entry.sequence) is not covered by the \(checkpoint.label)"
                )
            }
            return tree.inclusionProof(index: Int(entry.sequence - 1))
        }
    }

    private static func latestStored(
        _ db: some SQLSession
    ) throws -> (checkpoint: SignedCheckpoint, frontier: MerkleFrontier)? {
        guard
            let row = try db.row("SELECT * FROM evidence_checkpoints ORDER BY id DESC LIMIT 1")
        else {
            return nil
        }
        let checkpoint = try signedCheckpoint(row)
        return (checkpoint, try MerkleFrontier(size: checkpoint.size, serialized: [UInt8](try row["frontier"] as Data)))
    }

    private static func signedCheckpoint(_ row: SQLRow) throws -> SignedCheckpoint {
        SignedCheckpoint(
            size: try row["size"],
            headHash: [UInt8](try row["head_hash"] as Data),
            merkleRoot: [UInt8](try row["merkle_root"] as Data),
            atMs: try row["at_ms"],
            algorithm: try row["algorithm"],
            publicKey: [UInt8](try row["public_key"] as Data),
            signature: [UInt8](try row["signature"] as Data)
        )
    }
}
