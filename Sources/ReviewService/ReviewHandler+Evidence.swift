import RefundMeshAPI
import RefundMeshEvidence
import RefundMeshRPC

// R-R9: the evidence log's read side and its signed checkpoints. The log itself is written by
// ``EvidenceLog`` inside each fact's and decision's transaction.
extension ReviewHandler {
    /// Entries per read transaction while streaming the log.
    static let evidencePageSize = 512

    public func getEvidenceHead(
        _ request: GetEvidenceHeadRequest,
        context: ServerContext
    ) async throws
        -> EvidenceCheckpoint
    {
        let latest = try await Self.evidence { try await store.read { db in try EvidenceStore.latestCheckpoint(db) } }
        guard let latest else {
            throw RPCError(
                code: .notFound,
                message:
                    "no evidence checkpoint has been signed yet; CreateCheckpoint (`refundctl evidence checkpoint`)"
                    + " signs one, and the service signs one every checkpoint interval"
            )
        }
        return EvidenceCheckpoint(latest)
    }

    public func createCheckpoint(
        _ request: CreateCheckpointRequest,
        context: ServerContext
    ) async throws
        -> EvidenceCheckpoint
    {
        let checkpoint = try await signCheckpoint()
        context.logger.debug(
            "evidence checkpoint",
            metadata: [
                "evidence.size": "\(checkpoint.size)", "evidence.head": "\(EvidenceHex.encode(checkpoint.headHash))",
            ]
        )
        return EvidenceCheckpoint(checkpoint)
    }

    public func streamEvidence(
        _ request: StreamEvidenceRequest,
        responses: MessageWriter<EvidenceEntry>,
        context: ServerContext
    ) async throws {
        guard request.fromSequence >= 0 else {
            throw RPCError(code: .invalidArgument, message: "from_sequence must be 1 or more (0 means 1)")
        }
        // The log as it is when the call starts: entries never change, so pages read later agree.
        let end = try await store.read { db in try EvidenceStore.size(db) }
        var next = max(request.fromSequence, 1)
        while next <= end {
            let from = next
            let page = try await store.read { db in
                try EvidenceStore.entries(db, from: from, through: end, limit: Self.evidencePageSize)
            }
            for entry in page {
                try await responses.write(EvidenceEntry(sequence: entry.sequence, entry: entry.entry, hash: entry.hash))
            }
            guard let last = page.last, page.count == Self.evidencePageSize else { break }
            next = last.sequence + 1
        }
    }

    public func listCheckpoints(
        _ request: ListCheckpointsRequest,
        context: ServerContext
    ) async throws
        -> ListCheckpointsResponse
    {
        let checkpoints = try await store.read { db in try EvidenceStore.checkpoints(db) }
        return ListCheckpointsResponse(checkpoints: checkpoints.map(EvidenceCheckpoint.init))
    }

    public func exportCaseEvidence(
        _ request: ExportCaseEvidenceRequest,
        context: ServerContext
    ) async throws
        -> CaseEvidence
    {
        try Self.require(["refund_id": request.refundID], in: "an ExportCaseEvidence request")
        let refundID = request.refundID
        let (entries, latest) = try await store.read { db in
            (try EvidenceStore.entries(db, refundID: refundID), try EvidenceStore.latestCheckpoint(db))
        }
        guard let last = entries.last else {
            throw RPCError(code: .notFound, message: "refund \(refundID) has no evidence entries (no such case?)")
        }
        // The proofs need a checkpoint that covers the case's last entry: sign one if needed.
        let checkpoint: SignedCheckpoint
        if let latest, latest.size >= last.sequence {
            checkpoint = latest
        } else {
            checkpoint = try await signCheckpoint()
        }
        let proofs = try await Self.evidence {
            try await store.read { db in try EvidenceStore.inclusionProofs(db, for: entries, checkpoint: checkpoint) }
        }
        return CaseEvidence(
            refundID: refundID,
            entries: entries.map { EvidenceEntry(sequence: $0.sequence, entry: $0.entry, hash: $0.hash) },
            proofs: zip(entries, proofs).map { InclusionProof(sequence: $0.sequence, path: $1) },
            checkpoint: EvidenceCheckpoint(checkpoint)
        )
    }

    /// Signs the log's head if it grew since the latest checkpoint; returns the latest checkpoint.
    /// ``EvidenceCheckpointer`` calls it every interval.
    /// - Throws: `RPCError` DATA_LOSS when the log does not chain (nothing is signed then).
    public func signCheckpoint() async throws -> SignedCheckpoint {
        let signer = evidenceSigner
        let atMs = now()
        return try await Self.evidence {
            // Verify in a read, so review's other writes do not wait for the hashing; then store
            // the checkpoint in a short write. Another checkpoint stored in between (a second
            // replica's, an operator's) means verifying again from it.
            for _ in 0..<3 {
                switch try await store.read({ db in try EvidenceStore.verifyHead(db, for: signer) }) {
                case .upToDate(let latest):
                    return latest
                case .sign(let head):
                    let stored = try await store.write { db in
                        try EvidenceStore.storeCheckpoint(db, head, signer: signer, atMs: atMs)
                    }
                    if let stored { return stored }
                }
            }
            return try await store.write { db in try EvidenceStore.checkpoint(db, signer: signer, atMs: atMs) }
        }
    }

    /// Runs `body`, turning an ``EvidenceError`` into the status a caller can act on: a log that
    /// does not chain is DATA_LOSS, anything else INTERNAL.
    static func evidence<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as EvidenceError {
            let code: StatusCode = error.code == .logInconsistent ? .dataLoss : .internalError
            throw RPCError(code: code, message: error.message, cause: error)
        }
    }
}
