import Foundation
import GRDB
import Logging
import RefundMeshAPI
import RefundMeshEvidence
import RefundMeshRPC
import RefundMeshStore
import ReviewService

/// A review handler with a known evidence signer over a real SQLite store in a temporary folder,
/// plus the means to read the log as a client would and to tamper with the file behind its back.
final class EvidenceFixture: Sendable {
    let directory: URL
    let store: Store
    let signer = EvidenceSigner()
    let handler: ReviewHandler
    static let nowMs: Int64 = 1_764_000_000_000

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("evidence-tests-\(UUID().uuidString)")
        var logger = Logger(label: "test.evidence")
        logger.logLevel = .critical
        store = try Store(
            configuration: Store.Configuration(path: directory.appendingPathComponent("review.sqlite").path),
            migrations: Self.migrations,
            logger: logger
        )
        handler = ReviewHandler(
            store: store.database,
            payments: NoPayments(),
            evidenceSigner: signer,
            now: { Self.nowMs }
        )
    }

    /// Review's migrations with the checkpoints table (until `ReviewStore.migrations` lists it).
    static var migrations: [StoreMigration] {
        let name = EvidenceStore.checkpointsMigration.name
        if ReviewStore.migrations.contains(where: { $0.name == name }) { return ReviewStore.migrations }
        return ReviewStore.migrations + [EvidenceStore.checkpointsMigration]
    }

    deinit {
        try? store.close()
        try? FileManager.default.removeItem(at: directory)
    }

    static func context(_ method: MethodDescriptor) -> ServerContext {
        ReviewFixture.context(method)
    }

    /// `count` records of refund `refundID` appended directly.
    func append(_ count: Int, refundID: String, kind: String = "fact") async throws {
        try await store.write { db in
            for index in 0..<count {
                try EvidenceStore.append(
                    db,
                    kind: kind,
                    refundID: refundID,
                    orderID: "o-\(refundID)",
                    actor: "platform",
                    atMs: Self.nowMs + Int64(index),
                    data: ["index": .integer(Int64(index)), "text": .string("证据 \"\(index)\"")]
                )
            }
        }
    }

    // MARK: The RPCs, as a client sees them

    func stream(from: Int64 = 0) async throws -> [EvidenceLogEntry] {
        let collected = Collected()
        let writer = MessageWriter<EvidenceEntry> { bytes in
            await collected.add(try EvidenceEntry(serializedBytes: bytes))
        }
        try await handler.streamEvidence(
            StreamEvidenceRequest(fromSequence: from),
            responses: writer,
            context: Self.context(Review.Method.streamEvidence)
        )
        return await collected.entries.map(EvidenceLogEntry.init)
    }

    func createCheckpoint() async throws -> SignedCheckpoint {
        SignedCheckpoint(
            try await handler.createCheckpoint(
                CreateCheckpointRequest(),
                context: Self.context(Review.Method.createCheckpoint)
            )
        )
    }

    func checkpoints() async throws -> [SignedCheckpoint] {
        try await handler.listCheckpoints(
            ListCheckpointsRequest(),
            context: Self.context(Review.Method.listCheckpoints)
        )
        .checkpoints.map(SignedCheckpoint.init)
    }

    func export(_ refundID: String) async throws -> CaseEvidenceExport {
        let evidence = try await handler.exportCaseEvidence(
            ExportCaseEvidenceRequest(refundID: refundID),
            context: Self.context(Review.Method.exportCaseEvidence)
        )
        return CaseEvidenceExport(evidence)
    }

    /// Streams the whole log and verifies it against every stored checkpoint, as
    /// `refundctl evidence verify` does.
    func verify() async throws -> EvidenceLogVerifier.Report {
        EvidenceLogVerifier.verify(
            entries: try await stream(),
            checkpoints: try await checkpoints(),
            trustedKeys: [signer.publicKey]
        )
    }

    // MARK: Tampering with the file directly

    func tamper(_ sql: String, arguments: StatementArguments = []) throws {
        let queue = try DatabaseQueue(path: store.configuration.path)
        try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
        try queue.close()
    }

    /// Replaces entry `sequence` with `entry` and recomputes every hash from there on, as a
    /// forger without the signing key would.
    func rewrite(sequence: Int64, entry: [UInt8]) throws {
        let queue = try DatabaseQueue(path: store.configuration.path)
        try queue.write { db in
            try db.execute(
                sql: "UPDATE evidence_log SET entry = ? WHERE sequence = ?",
                arguments: [Data(entry), sequence]
            )
            var previous =
                try Data.fetchOne(
                    db,
                    sql: "SELECT hash FROM evidence_log WHERE sequence = ?",
                    arguments: [sequence - 1]
                ).map { [UInt8]($0) } ?? EvidenceChain.genesis
            for row in try Row.fetchAll(
                db,
                sql: "SELECT sequence, entry FROM evidence_log WHERE sequence >= ? ORDER BY sequence",
                arguments: [sequence]
            ) {
                let hash = EvidenceChain.link(previous: previous, entry: [UInt8](row["entry"] as Data))
                try db.execute(
                    sql: "UPDATE evidence_log SET hash = ? WHERE sequence = ?",
                    arguments: [Data(hash), row["sequence"] as Int64]
                )
                previous = hash
            }
        }
        try queue.close()
    }
}

private actor Collected {
    var entries: [EvidenceEntry] = []

    func add(_ entry: EvidenceEntry) {
        entries.append(entry)
    }
}
