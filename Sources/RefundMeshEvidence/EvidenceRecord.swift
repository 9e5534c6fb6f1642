import Crypto

/// One record of the evidence log (R-R9), before it is hashed: what happened (`kind`), to which
/// refund and order, who did it, when, and the record's own fields.
public struct EvidenceRecord: Sendable, Hashable {
    /// 1, 2, 3, … without gaps.
    public var sequence: Int64
    public var atMs: Int64
    /// E.g. "fact", "case_opened", "decision", "materials", "claim".
    public var kind: String
    public var refundID: String
    public var orderID: String
    /// "system", "reviewer:<id>", "user", "platform", …
    public var actor: String
    public var data: [String: EvidenceValue]

    public init(
        sequence: Int64,
        atMs: Int64,
        kind: String,
        refundID: String,
        orderID: String,
        actor: String,
        data: [String: EvidenceValue]
    ) {
        self.sequence = sequence
        self.atMs = atMs
        self.kind = kind
        self.refundID = refundID
        self.orderID = orderID
        self.actor = actor
        self.data = data
    }

    /// The record as canonical JSON: the bytes the chain hashes (docs/EVIDENCE.md).
    public var canonicalBytes: [UInt8] {
        EvidenceValue.object([
            "v": 1,
            "seq": .integer(sequence),
            "at_ms": .integer(atMs),
            "kind": .string(kind),
            "refund_id": .string(refundID),
            "order_id": .string(orderID),
            "actor": .string(actor),
            "data": .object(data),
        ]).canonicalJSON
    }
}

/// The SHA-256 hash chain over the records' canonical bytes.
public enum EvidenceChain {
    /// The "previous hash" of the first record: 32 zero bytes.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// `SHA-256(previous ‖ SHA-256(entry))`.
    public static func link(previous: [UInt8], entry: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: Array(SHA256.hash(data: entry)))
        return Array(hasher.finalize())
    }
}
