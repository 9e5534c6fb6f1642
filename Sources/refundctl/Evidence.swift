import ArgumentParser
import Foundation
import RefundMeshAPI
import RefundMeshEvidence
import RefundMeshRPC

/// `refundctl evidence`: the evidence log (R-R9) — signed heads, verifying the whole log,
/// exporting and checking a case's evidence. docs/EVIDENCE.md describes the formats.
struct Evidence: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The evidence log (R-R9): signed heads, full verification, case exports.",
        subcommands: [Head.self, Checkpoint.self, Verify.self, Export.self, CheckExport.self]
    )

    /// `refundctl evidence head`: the latest signed checkpoint.
    struct Head: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the latest signed checkpoint of the log.")

        @OptionGroup var mesh: MeshAddresses
        @Flag(help: "Print the checkpoint as JSON (the published head format), e.g. to keep a copy.") var json = false

        func run() async throws {
            let clients = try MeshClients(mesh)
            let head: EvidenceCheckpoint
            do {
                head = try await clients.review.getEvidenceHead(GetEvidenceHeadRequest())
            } catch {
                await clients.close()
                throw error
            }
            await clients.close()
            try Evidence.show(SignedCheckpoint(head), json: json)
        }
    }

    /// `refundctl evidence checkpoint`: signs the head now.
    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign the log's head now (if it grew since the last checkpoint) and show the checkpoint."
        )

        @OptionGroup var mesh: MeshAddresses
        @Flag(help: "Print the checkpoint as JSON.") var json = false

        func run() async throws {
            let clients = try MeshClients(mesh)
            let checkpoint: EvidenceCheckpoint
            do {
                checkpoint = try await clients.review.createCheckpoint(CreateCheckpointRequest())
            } catch {
                await clients.close()
                throw error
            }
            await clients.close()
            try Evidence.show(SignedCheckpoint(checkpoint), json: json)
        }
    }

    /// Prints a checkpoint for a person, or as JSON.
    static func show(_ checkpoint: SignedCheckpoint, json: Bool) throws {
        if json {
            print(String(decoding: try jsonBytes(checkpoint), as: UTF8.self), terminator: "")
            return
        }
        let signature = checkpoint.signatureProblem().map { "INVALID: \($0)" } ?? "valid (with the key it names)"
        print("size         \(checkpoint.size)")
        print("head hash    \(EvidenceHex.encode(checkpoint.headHash))")
        print("merkle root  \(EvidenceHex.encode(checkpoint.merkleRoot))")
        print("signed at    \(timestamp(checkpoint.atMs)) (at_ms \(checkpoint.atMs))")
        print("public key   \(checkpoint.algorithm) \(EvidenceHex.encode(checkpoint.publicKey))")
        print("signature    \(signature)")
    }

    static func jsonBytes(_ checkpoint: SignedCheckpoint) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(checkpoint)) + [0x0A]
    }

    static func timestamp(_ ms: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// The public keys whose signatures count (the review service's evidence key).
struct TrustedKeyOptions: ParsableArguments {
    @Option(
        name: .customLong("public-key"),
        help: "A trusted Ed25519 public key, 64 hex digits (repeat for several)."
    )
    var publicKeys: [String] = []

    @Option(
        name: .customLong("public-key-file"),
        help: "A file holding a trusted public key: hex, base64, or the 32 raw bytes (repeatable)."
    )
    var publicKeyFiles: [String] = []

    func keys() throws -> [[UInt8]] {
        var keys: [[UInt8]] = []
        for text in publicKeys {
            guard let key = EvidenceHex.decode(text.trimmingCharacters(in: .whitespaces)), key.count == 32 else {
                throw ValidationError("--public-key \"\(text)\" is not 64 hex digits")
            }
            keys.append(key)
        }
        for path in publicKeyFiles {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw ValidationError("--public-key-file \(path) cannot be read")
            }
            let text = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if contents.count == 32 {
                keys.append(Array(contents))
            } else if let key = EvidenceHex.decode(text), key.count == 32 {
                keys.append(key)
            } else if let key = Data(base64Encoded: text), key.count == 32 {
                keys.append(Array(key))
            } else {
                throw ValidationError("--public-key-file \(path) does not hold a 32-byte key (hex, base64 or raw)")
            }
        }
        return keys
    }
}
