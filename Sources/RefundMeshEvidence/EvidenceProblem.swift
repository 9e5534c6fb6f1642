/// One thing wrong with an evidence log or a case export (R-R9), written so an operator knows
/// where to look: the sequence it concerns and what differs.
public struct EvidenceProblem: Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem, as a small extensible set.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// A short stable name, e.g. `hash-mismatch`.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// Sequences missing between two entries (rows removed).
        public static let sequenceGap = Kind("sequence-gap")
        /// A sequence seen again, or going backwards.
        public static let sequenceOutOfOrder = Kind("sequence-out-of-order")
        /// A stored chain hash that is not `SHA-256(previous ‖ SHA-256(entry))` (row edited).
        public static let hashMismatch = Kind("hash-mismatch")
        /// Entry bytes that are not a JSON object of the record's shape.
        public static let malformedEntry = Kind("malformed-entry")
        /// Entry bytes that are JSON but not in canonical form.
        public static let nonCanonicalEntry = Kind("non-canonical-entry")
        /// An entry whose JSON `seq` field is not its sequence.
        public static let sequenceFieldMismatch = Kind("seq-field-mismatch")
        /// An entry of another refund in a case export.
        public static let wrongRefund = Kind("wrong-refund")
        /// A checkpoint whose size, head or root disagrees with the log recomputed at its size.
        public static let checkpointMismatch = Kind("checkpoint-mismatch")
        /// A checkpoint whose signature does not verify.
        public static let badSignature = Kind("bad-signature")
        /// A checkpoint signed by a key that is not a trusted one.
        public static let untrustedKey = Kind("untrusted-key")
        /// The log is shorter than a signed checkpoint (its tail was removed).
        public static let truncated = Kind("truncated")
        /// An inclusion proof that does not lead to the checkpoint's root.
        public static let inclusionProofInvalid = Kind("inclusion-proof-invalid")
        /// An export that is not in the documented format.
        public static let malformedExport = Kind("malformed-export")

        public var description: String { name }
    }

    public var kind: Kind
    /// The entry it concerns, when it concerns one.
    public var sequence: Int64?
    /// What differs, for a person.
    public var message: String

    public init(_ kind: Kind, sequence: Int64? = nil, _ message: String) {
        self.kind = kind
        self.sequence = sequence
        self.message = message
    }

    /// `sequence 12: hash-mismatch: …`, or `kind: …` without a sequence.
    public var description: String {
        if let sequence { return "sequence \(sequence): \(kind): \(message)" }
        return "\(kind): \(message)"
    }
}
