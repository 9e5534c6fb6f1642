import GRDB
import RefundMeshAPI
import RefundMeshEvidence
import RefundMeshStore

/// What review writes to the evidence log (R-R9), one function per kind of record, each called
/// inside the transaction that stores the fact or decision it proves. docs/EVIDENCE.md lists the
/// kinds and their fields.
enum EvidenceLog {
    /// A fulfillment fact (R-R1 card activation, R-R2 recharge confirmation, R-R5 days used),
    /// from the platform feed or the operator adapter.
    static func fact(
        _ db: some SQLSession,
        _ fact: FulfillmentFact,
        refundID: String = "",
        actor: String,
        atMs: Int64
    ) throws {
        try EvidenceStore.append(
            db,
            kind: "fact",
            refundID: refundID,
            orderID: fact.orderID,
            actor: actor,
            atMs: atMs,
            data: [
                "fact_id": .string(fact.factID),
                "fact_kind": .string(String(describing: fact.kind)),
                "fact_at_ms": .integer(fact.atMs),
                "days_used": .integer(Int64(fact.daysUsed)),
                "detail": .string(fact.detail),
            ]
        )
    }

    /// The captured payments payment-channel reported for the order when the case was decided.
    static func payments(
        _ db: some SQLSession,
        _ lookup: ReviewHandler.PaymentLookup,
        for reviewCase: CaseRecord,
        atMs: Int64
    ) throws {
        let payments = lookup.payments
        try EvidenceStore.append(
            db,
            kind: "payments",
            refundID: reviewCase.refundID,
            orderID: reviewCase.order.orderID,
            actor: "payment-channel",
            atMs: atMs,
            data: [
                "payments": .array(
                    payments.map { payment in
                        .object([
                            "payment_id": .string(payment.paymentID),
                            "amount_fen": .integer(payment.amountFen),
                            "method": .string(String(describing: payment.method)),
                            "captured_at_ms": .integer(payment.capturedAtMs),
                        ])
                    }
                ),
                // Who read them from payment-channel: review itself, or intake while accepting
                // the request (OpenCase carries its reading), and when.
                "read_by": .string(lookup.readBy),
                "read_at_ms": .integer(lookup.readAtMs == 0 ? atMs : lookup.readAtMs),
            ]
        )
    }

    /// The request as review received it, with its risk score (R-R7) and green channel (R-R8).
    static func caseOpened(_ db: some SQLSession, _ reviewCase: CaseRecord, atMs: Int64) throws {
        let order = reviewCase.order
        var data: [String: EvidenceValue] = [
            "user_id": .string(order.userID),
            "product_kind": .string(String(describing: order.productKind)),
            "price_fen": .integer(order.priceFen),
            "paid_at_ms": .integer(order.paidAtMs),
            "ground": .string(String(describing: reviewCase.ground)),
            "requested_amount_fen": .integer(reviewCase.requestedAmountFen),
            "destination": .string(String(describing: reviewCase.destination)),
            "payment_id": .string(reviewCase.paymentID),
            "reason_statement": .string(reviewCase.reasonStatement),
            "flagged": .bool(reviewCase.flagged),
            "flag_reason": .string(reviewCase.flagReason),
            "green_channel": .array(reviewCase.greenChannel.map { .string($0) }),
        ]
        if let risk = reviewCase.risk { data["risk"] = riskValue(risk) }
        try EvidenceStore.append(
            db,
            kind: "case_opened",
            refundID: reviewCase.refundID,
            orderID: order.orderID,
            actor: "intake",
            atMs: atMs,
            data: data
        )
    }

    /// Materials added to the case, by content hash (R-A5, R-R6).
    static func materials(
        _ db: some SQLSession,
        _ attachments: [AttachmentRef],
        for reviewCase: CaseRecord,
        atMs: Int64
    ) throws {
        try EvidenceStore.append(
            db,
            kind: "materials",
            refundID: reviewCase.refundID,
            orderID: reviewCase.order.orderID,
            actor: "user",
            atMs: atMs,
            data: [
                "attachments": .array(
                    attachments.map { attachment in
                        .object([
                            "kind": .string(String(describing: attachment.kind)),
                            "sha256_hex": .string(attachment.sha256Hex),
                            "size_bytes": .integer(attachment.sizeBytes),
                            "file_name": .string(attachment.fileName),
                        ])
                    }
                )
            ]
        )
    }

    /// A decision or change of the case's state: who (R-R10), what, under which rule and why.
    static func decision(
        _ db: some SQLSession,
        _ reviewCase: CaseRecord,
        event: String,
        actor: String,
        atMs: Int64
    ) throws {
        var data: [String: EvidenceValue] = [
            "event": .string(event),
            "outcome": .string(reviewCase.outcome.storedName),
            "amount_fen": .integer(reviewCase.amountFen),
            "rule": .string(reviewCase.rule),
            "reason_en": .string(reviewCase.reason.en),
            "reason_zh": .string(reviewCase.reason.zhCN),
            "decided_by": .string(reviewCase.decidedBy),
        ]
        if !reviewCase.decidedPaymentID.isEmpty { data["payment_id"] = .string(reviewCase.decidedPaymentID) }
        if !reviewCase.manualReason.isEmpty { data["manual_reason"] = .string(reviewCase.manualReason) }
        if !reviewCase.decisionNote.isEmpty { data["note"] = .string(reviewCase.decisionNote) }
        if reviewCase.negativeListItem != .unspecified {
            data["negative_list_item"] = .string(String(describing: reviewCase.negativeListItem))
        }
        if !reviewCase.requestedMaterials.isEmpty {
            data["requested_materials"] = .array(reviewCase.requestedMaterials.map { .string(String(describing: $0)) })
        }
        if let due = reviewCase.sla?.dueAtMs { data["sla_due_at_ms"] = .integer(due) }
        try EvidenceStore.append(
            db,
            kind: "decision",
            refundID: reviewCase.refundID,
            orderID: reviewCase.order.orderID,
            actor: actor,
            atMs: atMs,
            data: data
        )
    }

    static func riskValue(_ risk: RiskAssessment) -> EvidenceValue {
        .object([
            "score": .integer(Int64(risk.score)),
            "threshold": .integer(Int64(risk.threshold)),
            "manual": .bool(risk.manual),
            "signals": .array(
                risk.signals.map { signal in
                    .object([
                        "name": .string(signal.name),
                        "weight": .integer(Int64(signal.weight)),
                        "detail": .string(signal.detail),
                    ])
                }
            ),
        ])
    }
}
