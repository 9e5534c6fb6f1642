import Foundation
import GRDB
import RefundMeshEvidence
import RefundMeshStore

/// The evidence log (R-R9) in review's store: every fulfillment fact, payment fact and decision,
/// appended in the transaction that records it, each row chained to the one before by SHA-256.
///
/// Rows are only ever inserted. Signed checkpoints over the log are in
/// `EvidenceStore+Checkpoints.swift`; docs/EVIDENCE.md defines the hashes.
public enum EvidenceStore {
    /// The log's table. Rows are only ever inserted.
    public static let migration = StoreMigration("review.5.evidence") { db in
        try db.execute(
            sql: """
                CREATE TABLE evidence_log (
                    sequence INTEGER PRIMARY KEY NOT NULL,
                    refund_id TEXT NOT NULL,
                    order_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    entry BLOB NOT NULL,
                    hash BLOB NOT NULL
                );
                CREATE INDEX evidence_log_by_refund ON evidence_log (refund_id, sequence);
                CREATE INDEX evidence_log_by_order ON evidence_log (order_id, sequence);
                """
        )
    }

    /// Appends a record after the current last one and returns its sequence.
    @discardableResult
    public static func append(
        _ db: some SQLSession,
        kind: String,
        refundID: String,
        orderID: String,
        actor: String,
        atMs: Int64,
        data: [String: EvidenceValue]
    ) throws -> Int64 {
        let last = try db.row("SELECT sequence, hash FROM evidence_log ORDER BY sequence DESC LIMIT 1")
        let sequence: Int64 = (try last.map { try $0["sequence"] as Int64 } ?? 0) + 1
        let previous: [UInt8] = try last.map { try $0["hash"] as [UInt8] } ?? EvidenceChain.genesis
        let record = EvidenceRecord(
            sequence: sequence,
            atMs: atMs,
            kind: kind,
            refundID: refundID,
            orderID: orderID,
            actor: actor,
            data: data
        )
        let entry = record.canonicalBytes
        try db.run(
            "INSERT INTO evidence_log (sequence, refund_id, order_id, kind, entry, hash) VALUES (?, ?, ?, ?, ?, ?)",
            [
                sequence, refundID, orderID, kind, Data(entry),
                Data(EvidenceChain.link(previous: previous, entry: entry)),
            ]
        )
        return sequence
    }

    // MARK: Reading

    /// The log's size: its last sequence (0 when empty).
    public static func size(_ db: some SQLSession) throws -> Int64 {
        try db.value(Int64.self, "SELECT MAX(sequence) FROM evidence_log") ?? 0
    }

    /// Up to `limit` entries from sequence `from` on, in order, none after `through`.
    public static func entries(
        _ db: some SQLSession,
        from: Int64,
        through: Int64 = .max,
        limit: Int
    ) throws -> [EvidenceLogEntry] {
        try db.rows(
            """
            SELECT sequence, entry, hash FROM evidence_log
            WHERE sequence >= ? AND sequence <= ? ORDER BY sequence LIMIT ?
            """,
            [from, through, limit]
        ).map(logEntry)
    }

    /// Every entry of one refund, in order.
    public static func entries(_ db: some SQLSession, refundID: String) throws -> [EvidenceLogEntry] {
        try db.rows("SELECT sequence, entry, hash FROM evidence_log WHERE refund_id = ? ORDER BY sequence", [refundID])
            .map(logEntry)
    }

    /// The Merkle tree of the first `size` entries, read in one pass.
    /// - Throws: ``EvidenceError`` (``EvidenceError/Code/logInconsistent``) when a sequence up to
    ///   `size` is missing.
    public static func merkleTree(_ db: some SQLSession, size: Int64) throws -> MerkleTree {
        var tree = MerkleTree()
        try forEachEntry(db, after: 0, through: size) { entry in
            guard entry.sequence == Int64(tree.size) + 1 else { throw missing(Int64(tree.size) + 1) }
            tree.append(leafHash: MerkleTree.leafHash(entry.entry))
        }
        guard Int64(tree.size) == size else { throw missing(Int64(tree.size) + 1) }
        return tree
    }

    /// How many entries ``forEachEntry(_:after:through:_:)`` holds in memory at once.
    static let scanPageSize = 1000

    /// Calls `body` with every entry after sequence `after` up to `through`, in order, reading a
    /// page of ``scanPageSize`` entries at a time: a checkpoint after a busy minute, or a proof
    /// over the whole log, must not hold the whole log in memory at once (one query for a
    /// minute's 29,000 entries at 120 refunds/s raised review's RSS by a third).
    static func forEachEntry(
        _ db: some SQLSession,
        after: Int64,
        through: Int64,
        _ body: (EvidenceLogEntry) throws -> Void
    ) throws {
        var last = after
        while true {
            let page = try entries(db, from: last + 1, through: through, limit: scanPageSize)
            for entry in page {
                try body(entry)
                last = entry.sequence
            }
            if page.count < scanPageSize { return }
        }
    }

    static func logEntry(_ row: SQLRow) throws -> EvidenceLogEntry {
        EvidenceLogEntry(
            sequence: try row["sequence"],
            entry: [UInt8](try row["entry"] as Data),
            hash: [UInt8](try row["hash"] as Data)
        )
    }

    static func missing(_ sequence: Int64) -> EvidenceError {
        EvidenceError(
            code: .logInconsistent,
            message:
                "evidence entry \(sequence) is missing from the log (a row was removed); run `refundctl evidence verify`"
        )
    }
}
