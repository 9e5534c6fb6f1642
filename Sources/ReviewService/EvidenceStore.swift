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
        _ db: Database,
        kind: String,
        refundID: String,
        orderID: String,
        actor: String,
        atMs: Int64,
        data: [String: EvidenceValue]
    ) throws -> Int64 {
        let last = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT sequence, hash FROM evidence_log ORDER BY sequence DESC LIMIT 1")
        )
        let sequence: Int64 = (last?["sequence"] as Int64? ?? 0) + 1
        let previous: [UInt8] = last.map { [UInt8]($0["hash"] as Data) } ?? EvidenceChain.genesis
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
        try db.cachedStatement(
            sql:
                "INSERT INTO evidence_log (sequence, refund_id, order_id, kind, entry, hash) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(
            arguments: [
                sequence, refundID, orderID, kind, Data(entry),
                Data(EvidenceChain.link(previous: previous, entry: entry)),
            ]
        )
        return sequence
    }

    // MARK: Reading

    /// The log's size: its last sequence (0 when empty).
    public static func size(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(sequence) FROM evidence_log")) ?? 0
    }

    /// Up to `limit` entries from sequence `from` on, in order, none after `through`.
    public static func entries(
        _ db: Database,
        from: Int64,
        through: Int64 = .max,
        limit: Int
    ) throws -> [EvidenceLogEntry] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT sequence, entry, hash FROM evidence_log
                    WHERE sequence >= ? AND sequence <= ? ORDER BY sequence LIMIT ?
                    """
            ),
            arguments: [from, through, limit]
        ).map(logEntry)
    }

    /// Every entry of one refund, in order.
    public static func entries(_ db: Database, refundID: String) throws -> [EvidenceLogEntry] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT sequence, entry, hash FROM evidence_log WHERE refund_id = ? ORDER BY sequence"
            ),
            arguments: [refundID]
        ).map(logEntry)
    }

    /// The Merkle tree of the first `size` entries, read in one pass.
    /// - Throws: ``EvidenceError`` (``EvidenceError/Code/logInconsistent``) when a sequence up to
    ///   `size` is missing.
    public static func merkleTree(_ db: Database, size: Int64) throws -> MerkleTree {
        var tree = MerkleTree()
        let rows = try Row.fetchCursor(
            db,
            sql: "SELECT sequence, entry FROM evidence_log WHERE sequence <= ? ORDER BY sequence",
            arguments: [size]
        )
        while let row = try rows.next() {
            let sequence: Int64 = row["sequence"]
            guard sequence == Int64(tree.size) + 1 else { throw missing(Int64(tree.size) + 1) }
            tree.append(leafHash: MerkleTree.leafHash([UInt8](row["entry"] as Data)))
        }
        guard Int64(tree.size) == size else { throw missing(Int64(tree.size) + 1) }
        return tree
    }

    static func logEntry(_ row: Row) -> EvidenceLogEntry {
        EvidenceLogEntry(
            sequence: row["sequence"],
            entry: [UInt8](row["entry"] as Data),
            hash: [UInt8](row["hash"] as Data)
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
