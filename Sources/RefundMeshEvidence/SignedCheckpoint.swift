import Crypto

/// A ``CheckpointStatement`` with its Ed25519 signature and the public key that made it (R-R9).
///
/// Encoded as JSON (the published head file, the `checkpoint` of a case export) with the field
/// names of docs/EVIDENCE.md and hashes, keys and signatures in lower-case hex:
/// `{"algorithm":"Ed25519","at_ms":…,"head_hash":"…","merkle_root":"…","public_key":"…","signature":"…","size":…}`.
public struct SignedCheckpoint: Sendable, Hashable {
    /// The only algorithm there is so far.
    public static let ed25519 = "Ed25519"

    public var size: Int64
    public var headHash: [UInt8]
    public var merkleRoot: [UInt8]
    public var atMs: Int64
    /// ``ed25519``.
    public var algorithm: String
    /// The 32-byte Ed25519 public key that signed it.
    public var publicKey: [UInt8]
    /// The 64-byte Ed25519 signature over ``CheckpointStatement/signedBytes``.
    public var signature: [UInt8]

    public init(
        size: Int64,
        headHash: [UInt8],
        merkleRoot: [UInt8],
        atMs: Int64,
        algorithm: String = Self.ed25519,
        publicKey: [UInt8],
        signature: [UInt8]
    ) {
        self.size = size
        self.headHash = headHash
        self.merkleRoot = merkleRoot
        self.atMs = atMs
        self.algorithm = algorithm
        self.publicKey = publicKey
        self.signature = signature
    }

    /// What was signed.
    public var statement: CheckpointStatement {
        CheckpointStatement(size: size, headHash: headHash, merkleRoot: merkleRoot, atMs: atMs)
    }

    /// Why the signature does not hold, or nil when it does: the algorithm is Ed25519, the fields
    /// have their sizes, and the signature verifies over the statement with `publicKey` (by
    /// default the key the checkpoint names; pass a trusted key to check against that instead).
    public func signatureProblem(publicKey: [UInt8]? = nil) -> String? {
        let key = publicKey ?? self.publicKey
        guard algorithm == Self.ed25519 else { return "algorithm is \"\(algorithm)\", not \"\(Self.ed25519)\"" }
        guard size >= 0 else { return "size is negative (\(size))" }
        guard headHash.count == MerkleTree.hashSize, merkleRoot.count == MerkleTree.hashSize else {
            return "head hash and Merkle root must be 32 bytes (they are \(headHash.count) and \(merkleRoot.count))"
        }
        guard let verifier = try? Curve25519.Signing.PublicKey(rawRepresentation: key) else {
            return "public key \(EvidenceHex.encode(key)) is not a 32-byte Ed25519 key"
        }
        guard signature.count == 64, verifier.isValidSignature(signature, for: statement.signedBytes) else {
            return "the Ed25519 signature does not verify with key \(EvidenceHex.encode(key))"
        }
        return nil
    }

    /// Whether ``signatureProblem(publicKey:)`` finds nothing.
    public func hasValidSignature(publicKey: [UInt8]? = nil) -> Bool {
        signatureProblem(publicKey: publicKey) == nil
    }

    /// A short name for messages: "checkpoint of 12 entries signed at 1764000000000".
    public var label: String { "checkpoint of \(size) entries signed at \(atMs)" }
}

extension SignedCheckpoint: Codable {
    private enum CodingKeys: String, CodingKey {
        case size
        case headHash = "head_hash"
        case merkleRoot = "merkle_root"
        case atMs = "at_ms"
        case algorithm
        case publicKey = "public_key"
        case signature
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            size: try container.decode(Int64.self, forKey: .size),
            headHash: try container.decodeHex(forKey: .headHash),
            merkleRoot: try container.decodeHex(forKey: .merkleRoot),
            atMs: try container.decode(Int64.self, forKey: .atMs),
            algorithm: try container.decode(String.self, forKey: .algorithm),
            publicKey: try container.decodeHex(forKey: .publicKey),
            signature: try container.decodeHex(forKey: .signature)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(size, forKey: .size)
        try container.encode(EvidenceHex.encode(headHash), forKey: .headHash)
        try container.encode(EvidenceHex.encode(merkleRoot), forKey: .merkleRoot)
        try container.encode(atMs, forKey: .atMs)
        try container.encode(algorithm, forKey: .algorithm)
        try container.encode(EvidenceHex.encode(publicKey), forKey: .publicKey)
        try container.encode(EvidenceHex.encode(signature), forKey: .signature)
    }
}

extension KeyedDecodingContainer {
    /// A hex string field as bytes.
    func decodeHex(forKey key: Key) throws -> [UInt8] {
        let text = try decode(String.self, forKey: key)
        guard let bytes = EvidenceHex.decode(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\"\(text)\" is not hex")
        }
        return bytes
    }
}
