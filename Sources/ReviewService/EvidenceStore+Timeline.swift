import Foundation
import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshStore

extension EvidenceStore {
    /// A case's history as its evidence records tell it (R-T2), oldest first: each record's time,
    /// actor, rule and reason (in `locale` where the record has both languages).
    public static func timeline(_ db: some SQLSession, refundID: String, locale: RefundLocale) throws -> [TimelineEntry]
    {
        try db.rows("SELECT sequence, kind, entry FROM evidence_log WHERE refund_id = ? ORDER BY sequence", [refundID])
            .map { row in
                let sequence: Int64 = try row["sequence"]
                let kind: String = try row["kind"]
                let json = (try? JSONSerialization.jsonObject(with: try row["entry"] as Data)) as? [String: Any] ?? [:]
                let data = json["data"] as? [String: Any] ?? [:]
                let reason =
                    (locale == .en ? data["reason_en"] : data["reason_zh"]) as? String
                    ?? (data["event"] as? String).map { "\(kind): \($0)" } ?? kind
                return TimelineEntry(
                    atMs: (json["at_ms"] as? NSNumber)?.int64Value ?? 0,
                    state: state(ofOutcome: data["outcome"] as? String),
                    rule: data["rule"] as? String ?? "",
                    reason: reason,
                    actor: json["actor"] as? String ?? "",
                    amountFen: (data["amount_fen"] as? NSNumber)?.int64Value ?? 0,
                    sequence: sequence
                )
            }
    }

    private static func state(ofOutcome outcome: String?) -> RefundState {
        switch outcome {
        case "manual": .underReview
        case "awaiting_materials": .awaitingMaterials
        case "approved": .approved
        case "rejected": .rejected
        case "offered": .offered
        case "offer_declined": .offerDeclined
        case "withdrawn": .withdrawn
        case "pending": .received
        default: .unspecified
        }
    }
}
