import Foundation
import Logging
import RefundMeshEvidence
import ServiceLifecycle

/// Signs a checkpoint of the evidence log (R-R9) every `interval` (when the log grew), and
/// publishes the latest one as JSON to `headFile`, where operators and auditors copy it from.
///
/// A published checkpoint kept outside the service's data folder is what makes a rewrite of the
/// database detectable even by someone who also deleted the stored checkpoints. It signs once when
/// it starts and once more on graceful shutdown, so the published head covers everything written.
public struct EvidenceCheckpointer: Service {
    let handler: ReviewHandler
    let interval: Duration
    let headFile: String?
    let logger: Logger

    /// - Parameters:
    ///   - handler: Its store, clock and ``ReviewHandler/evidenceSigner`` are used.
    ///   - interval: Time between checkpoints (REVIEW_EVIDENCE_CHECKPOINT_INTERVAL_MS).
    ///   - headFile: Where to publish the latest checkpoint (REVIEW_EVIDENCE_HEAD_FILE); nil: nowhere.
    ///   - logger: Logs each new checkpoint at info, failures at error.
    public init(handler: ReviewHandler, interval: Duration, headFile: String?, logger: Logger) {
        self.handler = handler
        self.interval = interval
        self.headFile = headFile
        self.logger = logger
    }

    public func run() async throws {
        var published: SignedCheckpoint?
        published = await round(after: published)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
            published = await round(after: published)
        }
        if Task.isShuttingDownGracefully && !Task.isCancelled {
            _ = await round(after: published)
        }
    }

    /// Signs (if the log grew) and publishes (if the checkpoint changed); returns what was
    /// published. Failures are logged and retried next round.
    func round(after published: SignedCheckpoint?) async -> SignedCheckpoint? {
        do {
            let started = ContinuousClock.now
            let checkpoint = try await handler.signCheckpoint()
            guard checkpoint != published else { return published }
            // Verifying runs in a read, storing in a short write (``ReviewHandler/signCheckpoint()``).
            let took = started.duration(to: .now)
            logger.info(
                "evidence checkpoint",
                metadata: [
                    "evidence.size": "\(checkpoint.size)",
                    "evidence.new_entries": "\(checkpoint.size - (published?.size ?? 0))",
                    "evidence.duration_ms": "\(Int(took / .milliseconds(1)))",
                    "evidence.head": "\(EvidenceHex.encode(checkpoint.headHash))",
                    "evidence.root": "\(EvidenceHex.encode(checkpoint.merkleRoot))",
                ]
            )
            if let headFile { try Self.publish(checkpoint, to: headFile) }
            return checkpoint
        } catch {
            logger.error(
                "evidence checkpoint failed; retrying next round",
                metadata: ["error": "\(error)", "evidence.head-file": "\(headFile ?? "-")"]
            )
            return published
        }
    }

    /// Writes `checkpoint` as JSON (docs/EVIDENCE.md) to `path`, atomically (a temporary file
    /// renamed over it), creating its folder.
    public static func publish(_ checkpoint: SignedCheckpoint, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var json = try encoder.encode(checkpoint)
        json.append(0x0A)
        try json.write(to: url, options: .atomic)
    }
}
