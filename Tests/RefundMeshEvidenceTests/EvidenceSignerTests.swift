import Foundation
import RefundMeshEvidence
import Testing

@Suite("checkpoint signing")
struct EvidenceSignerTests {
    /// RFC 8032 §7.1 TEST 1's secret key and public key.
    static let seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    static let publicKey = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")

    static let statement = CheckpointStatement(
        size: 8,
        headHash: [UInt8](repeating: 0x11, count: 32),
        merkleRoot: hex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
        atMs: 1_764_000_000_000
    )

    @Test("the signed text is exactly the documented five lines")
    func signedText() {
        #expect(
            Self.statement.text
                == "refundmesh-evidence-checkpoint/v1\n8\n" + String(repeating: "11", count: 32)
                + "\n5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328\n1764000000000\n"
        )
    }

    @Test("RFC 8032 key: same public key, and a signature made by Python's cryptography verifies")
    func crossImplementation() throws {
        let signer = try EvidenceSigner(privateKeySeed: Self.seed)
        #expect(signer.publicKey == Self.publicKey)
        // python3: Ed25519PrivateKey.from_private_bytes(seed).sign(statement.text.encode())
        let pythonSignature = hex(
            "a19b6a2889e4421887e734875e2db27b1716990cb6962b8b7b641adf90727940"
                + "bdf1e999c5b66a43d4ca150acb3f9c63aab1ff709bc5d5511b85c7d6027e1a09"
        )
        let fromPython = SignedCheckpoint(
            size: 8,
            headHash: Self.statement.headHash,
            merkleRoot: Self.statement.merkleRoot,
            atMs: Self.statement.atMs,
            publicKey: Self.publicKey,
            signature: pythonSignature
        )
        #expect(fromPython.hasValidSignature())
        let signed = try signer.sign(Self.statement)
        #expect(signed.hasValidSignature())
        #expect(signed.hasValidSignature(publicKey: Self.publicKey))
        #expect(signed.statement == Self.statement)
        #expect(signed.algorithm == "Ed25519")
    }

    @Test("a changed field, another key or another algorithm breaks the signature")
    func tamperedCheckpoints() throws {
        let signed = try EvidenceSigner(privateKeySeed: Self.seed).sign(Self.statement)
        var bigger = signed
        bigger.size += 1
        var otherHead = signed
        otherHead.headHash[0] ^= 1
        var otherRoot = signed
        otherRoot.merkleRoot[31] ^= 1
        var later = signed
        later.atMs += 1
        var otherAlgorithm = signed
        otherAlgorithm.algorithm = "Ed448"
        for tampered in [bigger, otherHead, otherRoot, later, otherAlgorithm] {
            #expect(!tampered.hasValidSignature())
        }
        #expect(!signed.hasValidSignature(publicKey: EvidenceSigner().publicKey))
        var resigned = try EvidenceSigner().sign(Self.statement)
        #expect(resigned.hasValidSignature())
        resigned.publicKey = Self.publicKey  // claims the trusted key, signature made by another
        #expect(resigned.signatureProblem() != nil)
    }

    @Test("a checkpoint round-trips through its JSON with hex fields")
    func json() throws {
        let signed = try EvidenceSigner(privateKeySeed: Self.seed).sign(Self.statement)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(signed), as: UTF8.self)
        #expect(text.hasPrefix(#"{"algorithm":"Ed25519","at_ms":1764000000000,"head_hash":"1111"#))
        #expect(text.contains(#""public_key":"d75a980182b10ab7"#))
        let decoded = try JSONDecoder().decode(SignedCheckpoint.self, from: Data(text.utf8))
        #expect(decoded == signed)
    }

    @Test("loadOrCreate makes a 0600 base64 key file once, then reads the same key back")
    func keyFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("evidence-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nested/evidence-signing.key").path

        let created = try EvidenceSigner.loadOrCreate(keyFile: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n") && Data(base64Encoded: text.trimmingCharacters(in: .newlines))?.count == 32)

        let loaded = try EvidenceSigner.loadOrCreate(keyFile: path)
        #expect(loaded.publicKey == created.publicKey)

        // The raw 32-byte form is read too.
        let raw = folder.appendingPathComponent("raw.key").path
        _ = FileManager.default.createFile(atPath: raw, contents: Data(Self.seed))
        #expect(try EvidenceSigner.load(keyFile: raw).publicKey == Self.publicKey)

        let bad = folder.appendingPathComponent("bad.key").path
        _ = FileManager.default.createFile(atPath: bad, contents: Data("not a key\n".utf8))
        #expect(throws: EvidenceError.self) { try EvidenceSigner.load(keyFile: bad) }
        #expect(throws: EvidenceError.self) { try EvidenceSigner(privateKeySeed: [1, 2, 3]) }
    }
}
