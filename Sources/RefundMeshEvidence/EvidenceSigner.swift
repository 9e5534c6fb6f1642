import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Signs checkpoints of the evidence log (R-R9) with an Ed25519 key.
///
/// **Key file.** One line: the standard, padded base64 of the 32-byte Ed25519 private key seed
/// (RFC 8032 §5.1.5's secret key, what `Curve25519.Signing.PrivateKey.rawRepresentation` and
/// Python's `Ed25519PrivateKey.from_private_bytes` take), then a newline. A file of exactly 32
/// bytes is also accepted, read as the raw seed. ``loadOrCreate(keyFile:)`` creates the file with
/// mode 0600 (and its folder) when it does not exist. Keep it out of backups that leave the
/// machine: whoever has it can sign a rewritten log.
public struct EvidenceSigner: Sendable {
    /// The 32-byte seed. Kept as bytes because swift-crypto's key type is not `Sendable`.
    private let seed: [UInt8]
    /// The 32-byte Ed25519 public key; auditors pin it (docs/EVIDENCE.md).
    public let publicKey: [UInt8]

    /// A signer with a new random key, kept only in memory (tests, or a log nobody needs to
    /// verify after a restart).
    public init() {
        let key = Curve25519.Signing.PrivateKey()
        self.seed = Array(key.rawRepresentation)
        self.publicKey = Array(key.publicKey.rawRepresentation)
    }

    /// A signer with the given 32-byte private key seed.
    /// - Throws: ``EvidenceError`` (``EvidenceError/Code/invalidKey``) when `seed` is not 32 bytes.
    public init(privateKeySeed seed: [UInt8]) throws {
        guard seed.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw EvidenceError(
                code: .invalidKey,
                message: "an Ed25519 private key seed is 32 bytes, not \(seed.count)"
            )
        }
        self.seed = seed
        self.publicKey = Array(key.publicKey.rawRepresentation)
    }

    /// ``publicKey`` in lower-case hex.
    public var publicKeyHex: String { EvidenceHex.encode(publicKey) }

    /// Signs `statement`.
    public func sign(_ statement: CheckpointStatement) throws -> SignedCheckpoint {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        let signature = try key.signature(for: statement.signedBytes)
        return SignedCheckpoint(
            size: statement.size,
            headHash: statement.headHash,
            merkleRoot: statement.merkleRoot,
            atMs: statement.atMs,
            publicKey: publicKey,
            signature: Array(signature)
        )
    }
}

// MARK: Key files

extension EvidenceSigner {
    /// The signer whose key is in `path`, creating the file (mode 0600) with a new random key
    /// when there is none.
    /// - Throws: ``EvidenceError`` with ``EvidenceError/Code/keyFile`` when the file or its
    ///   folder cannot be read or created, ``EvidenceError/Code/invalidKey`` when the file does
    ///   not hold a key.
    public static func loadOrCreate(keyFile path: String) throws -> EvidenceSigner {
        if FileManager.default.fileExists(atPath: path) { return try load(keyFile: path) }
        let signer = EvidenceSigner()
        if try signer.createKeyFile(path) {
            return signer
        }
        return try load(keyFile: path)  // another process created it first
    }

    /// The signer whose key is in `path` (base64 of the seed, or the 32 raw bytes).
    /// - Throws: ``EvidenceError`` (``EvidenceError/Code/keyFile``, ``EvidenceError/Code/invalidKey``).
    public static func load(keyFile path: String) throws -> EvidenceSigner {
        let contents: Data
        do {
            contents = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw EvidenceError(code: .keyFile, message: "could not read the evidence key file \(path): \(error)")
        }
        if contents.count == 32 { return try EvidenceSigner(privateKeySeed: Array(contents)) }
        let text = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let seed = Data(base64Encoded: text), seed.count == 32 else {
            throw EvidenceError(
                code: .invalidKey,
                message:
                    "the evidence key file \(path) does not hold a key: expected one line of base64 of a 32-byte"
                    + " Ed25519 seed (or the 32 raw bytes)"
            )
        }
        return try EvidenceSigner(privateKeySeed: Array(seed))
    }

    /// Writes the key to a new file `path` with mode 0600; false when the file already exists.
    private func createKeyFile(_ path: String) throws -> Bool {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw EvidenceError(code: .keyFile, message: "could not create the folder \(folder.path): \(error)")
        }
        let line = Array((Data(seed).base64EncodedString() + "\n").utf8)
        // O_EXCL: never overwrite a key someone else just made; 0600 from the start, not chmod after.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            let code = errno
            if code == EEXIST { return false }
            throw EvidenceError(
                code: .keyFile,
                message: "could not create the evidence key file \(path): \(String(cString: strerror(code)))"
            )
        }
        defer { close(descriptor) }
        let written = line.withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress, buffer.count) }
        guard written == line.count, fsync(descriptor) == 0 else {
            let code = errno
            unlink(path)
            throw EvidenceError(
                code: .keyFile,
                message: "could not write the evidence key file \(path): \(String(cString: strerror(code)))"
            )
        }
        return true
    }
}
