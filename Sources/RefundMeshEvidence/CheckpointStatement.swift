/// What a checkpoint asserts about the evidence log (R-R9): after `size` entries its chain head
/// was `headHash` and its Merkle root `merkleRoot`, at `atMs`.
///
/// The bytes signed are ``text`` in UTF-8, five lines each ending in `\n`:
/// ```
/// refundmesh-evidence-checkpoint/v1
/// <size, decimal>
/// <chain head, 64 lower-case hex digits>
/// <Merkle root, 64 lower-case hex digits>
/// <at_ms, decimal Unix milliseconds>
/// ```
/// The first line names the format, so a signature over this text cannot be mistaken for one over
/// anything else the key might sign.
public struct CheckpointStatement: Sendable, Hashable {
    /// The first line of the signed text.
    public static let header = "refundmesh-evidence-checkpoint/v1"

    /// How many entries (sequences 1 … size) the statement covers.
    public var size: Int64
    /// The chain hash of entry `size` (32 zero bytes when `size` is 0).
    public var headHash: [UInt8]
    /// The RFC 6962 Merkle tree hash of the first `size` entries.
    public var merkleRoot: [UInt8]
    /// When it was signed, in Unix milliseconds.
    public var atMs: Int64

    public init(size: Int64, headHash: [UInt8], merkleRoot: [UInt8], atMs: Int64) {
        self.size = size
        self.headHash = headHash
        self.merkleRoot = merkleRoot
        self.atMs = atMs
    }

    /// The signed text.
    public var text: String {
        "\(Self.header)\n\(size)\n\(EvidenceHex.encode(headHash))\n\(EvidenceHex.encode(merkleRoot))\n\(atMs)\n"
    }

    /// ``text`` as UTF-8: the bytes the signature covers.
    public var signedBytes: [UInt8] { Array(text.utf8) }
}
