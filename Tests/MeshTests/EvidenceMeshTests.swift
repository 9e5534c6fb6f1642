import Foundation
import GRDB
import RefundMeshAPI
import RefundMeshRPC
import Testing

/// R-R9 over the mesh: refundctl verifies review's evidence log and exports a case that an
/// auditor's own script checks; editing review's SQLite file behind its back is detected.
@Suite("evidence over the mesh")
struct EvidenceMeshTests {
    @Test("R-R9: verify and export pass; an edited decision row in review.sqlite fails verify, naming the record")
    func tamperDetection() async throws {
        let world = try await ReviewQueueMeshTests.World.start([:])
        var refunds: [RefundView] = []
        for id in ["ev-1", "ev-2", "ev-3"] {
            try await world.sell(id, kind: .cardKey, price: 1_000)
            refunds.append(try await world.submit(id, ground: .notUsed))
        }
        for refund in refunds {
            #expect(try await world.refund(refund) { $0.state == .moneyArrived }.state == .moneyArrived)
        }
        let checkpoint = try await world.review.createCheckpoint(CreateCheckpointRequest())
        #expect(checkpoint.size > 0)
        let key = ["--public-key", checkpoint.publicKey.map { String(format: "%02x", $0) }.joined()]
        let verified = try await RefundCtl.run(["evidence", "verify"] + key + world.addresses)
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("verified"), "\(verified.output)")

        let export = world.mesh.root.appendingPathComponent("ev-1.json")
        let exported = try await RefundCtl.run(
            ["evidence", "export", refunds[0].refundID, "--output", export.path] + key + world.addresses
        )
        #expect(exported.status == 0, "\(exported.output)")
        let auditor = try await runProcess(
            "/usr/bin/python3",
            [Self.script, export.path, "--require-signature"] + key
        )
        #expect(auditor.status == 0, "\(auditor.output)")

        // Someone with write access to the file changes an approved amount.
        let tamperedRefund = refunds[1].refundID
        let database = world.mesh.root.appendingPathComponent("review/review.sqlite").path
        let queue = try DatabaseQueue(path: database)
        let edited = try await queue.write { db -> Int64 in
            let sequence = try Int64.fetchOne(
                db,
                sql:
                    "SELECT sequence FROM evidence_log WHERE kind = 'decision' AND refund_id = ? ORDER BY sequence LIMIT 1",
                arguments: [tamperedRefund]
            )!
            try db.execute(
                sql: """
                    UPDATE evidence_log
                    SET entry = CAST(replace(CAST(entry AS TEXT), '"amount_fen":1000', '"amount_fen":9000') AS BLOB)
                    WHERE sequence = ?
                    """,
                arguments: [sequence]
            )
            #expect(db.changesCount == 1)
            return sequence
        }
        try queue.close()
        let caught = try await RefundCtl.run(["evidence", "verify"] + key + world.addresses)
        #expect(caught.status != 0, "\(caught.output)")
        #expect(caught.output.contains("\(edited)"), "the report names record \(edited): \(caught.output)")
        // The export taken before still checks out offline against its signed head.
        let offline = try await RefundCtl.run(["evidence", "check-export", export.path] + key)
        #expect(offline.status == 0, "\(offline.output)")
        _ = try await world.mesh.stop()
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scripts/verify-evidence-export.py").standardizedFileURL.path
}
