import RefundMeshAPI
import RefundMeshTestSupport
import RefundMeshWire

/// A value of every type in ``FuzzMessageTypes/all`` with its fields set, for the message seeds:
/// nested and repeated messages filled, enums on named values and on a number the schema does
/// not name (`.init(rawValue: 99)`, which must round-trip), non-ASCII strings, bytes with NULs.
enum SampleMessages {
    static let order = Order(
        orderID: "o-1001",
        userID: "u-42",
        productKind: .init(rawValue: 1),
        sku: "CARD-100",
        productName: "游戏点卡 100",
        priceFen: 10_000,
        paidAtMs: 1_767_000_000_000,
        validUntilMs: 1_798_000_000_000,
        cardKeyID: "ck-9",
        rechargeAccount: "player#7",
        totalDays: 30,
        buyerDeviceID: "dev-1",
        buyerIP: "203.0.113.7",
        elderlyCare: true
    )

    static let attachment = Attachment(
        kind: .init(rawValue: 2),
        fileName: "receipt.png",
        contentType: "image/png",
        content: [0x89, 0x50, 0x4E, 0x47, 0x00, 0x0D, 0x0A]
    )

    static let attachmentRef = AttachmentRef(
        kind: .init(rawValue: 99),
        fileName: "statement.txt",
        contentType: "text/plain",
        sha256Hex: String(repeating: "ab", count: 32),
        sizeBytes: 512
    )

    static let timeline = [
        TimelineEntry(
            atMs: 1,
            state: .init(rawValue: 1),
            rule: "R-A1",
            reason: "received",
            actor: "intake",
            sequence: 1
        ),
        TimelineEntry(
            atMs: 2,
            state: .init(rawValue: 5),
            rule: "R-A4",
            reason: "approved",
            actor: "review",
            amountFen: 9_000,
            sequence: 2
        ),
    ]

    static let refundView = RefundView(
        refundID: "r-1",
        orderID: "o-1001",
        userID: "u-42",
        state: .init(rawValue: 3),
        ground: .init(rawValue: 2),
        source: .init(rawValue: 1),
        destination: .init(rawValue: 1),
        requestedAmountFen: 10_000,
        decidedAmountFen: 9_000,
        feeFen: 100,
        expectedArrivalMs: 1_767_100_000_000,
        attachments: [attachmentRef],
        requestedMaterials: [.init(rawValue: 1), .init(rawValue: 3)],
        flaggedForReview: true,
        flagReason: "high risk score",
        timeline: timeline,
        createdAtMs: 1,
        updatedAtMs: 2
    )

    static let capturedPayment = CapturedPayment(
        paymentID: "p-1",
        orderID: "o-1001",
        userID: "u-42",
        method: .init(rawValue: 1),
        amountFen: 10_000,
        capturedAtMs: 1_767_000_000_000,
        merchantID: "m-1"
    )

    static let executeRefund = ExecuteRefundRequest(
        refundID: "r-1",
        orderID: "o-1001",
        userID: "u-42",
        amountFen: 9_000,
        destination: .init(rawValue: 1),
        platformFault: true,
        paymentID: "p-1"
    )

    static let refundPayment = RefundPayment(
        refundID: "r-1",
        paymentID: "p-1",
        method: .init(rawValue: 2),
        amountFen: 9_000,
        feeFen: 0,
        netAmountFen: 9_000,
        state: .init(rawValue: 2),
        providerRefundNo: "RF2026",
        sentAtMs: 3,
        arrivedAtMs: 4,
        expectedArrivalMs: 5,
        failureReason: "",
        resolution: "retry_original",
        nextQueryAtMs: 6,
        notBeforeMs: 7
    )

    static let errorInfo = ErrorInfo(
        reason: "REFUND_WINDOW_CLOSED",
        domain: "intake.refundmesh",
        metadata: ["rule": "R-A4", "closed_on": "2026-11-20", "": "empty key"]
    )

    static let badRequest = BadRequest(fieldViolations: [
        BadRequest.FieldViolation(field: "amount_fen", description: "must be positive", rule: "R-A2"),
        BadRequest.FieldViolation(field: "attachments[0].content", description: "over 5 MiB"),
    ])

    static let fulfillmentFact = FulfillmentFact(
        factID: "f-1",
        orderID: "o-1001",
        kind: .init(rawValue: 2),
        atMs: 8,
        daysUsed: 3,
        detail: "activated"
    )

    static let reviewCase = ReviewCase(
        refundID: "r-1",
        orderID: "o-1001",
        outcome: .init(rawValue: 2),
        amountFen: 9_000,
        rule: "R-A4",
        reason: "within window",
        decidedBy: "rev-7",
        decidedAtMs: 9,
        manualReason: "amount over limit",
        facts: [fulfillmentFact, FulfillmentFact(kind: .init(rawValue: 99))],
        decisionNote: "ok",
        negativeListItem: .init(rawValue: 1)
    )

    static let queueItem = QueueItem(
        refundID: "r-1",
        orderID: "o-1001",
        userID: "u-42",
        productKind: .init(rawValue: 2),
        ground: .init(rawValue: 1),
        requestedAmountFen: 10_000,
        outcome: .init(rawValue: 5),
        priority: 3,
        priorityReasons: ["elderly care", "SLA due soon"],
        slaDueAtMs: 10,
        slaStatus: .init(rawValue: 2),
        slaKind: "decision",
        claimedBy: "rev-7",
        claimExpiresAtMs: 11,
        riskScore: 70,
        manualReason: "risk",
        openedAtMs: 12
    )

    static let riskAssessment = RiskAssessment(
        score: 70,
        threshold: 60,
        manual: true,
        signals: [RiskSignal(name: "new_device", weight: 30, detail: "first seen today"), RiskSignal(weight: -5)]
    )

    static let userHistory = UserHistory(orders90d: 12, medianOrderFen90d: 3_000)

    static let checkpoint = EvidenceCheckpoint(
        size: 42,
        headHash: [UInt8](repeating: 0xAB, count: 32),
        merkleRoot: [UInt8](repeating: 0xCD, count: 32),
        atMs: 13,
        algorithm: "ed25519",
        publicKey: [UInt8](repeating: 1, count: 32),
        signature: [UInt8](repeating: 2, count: 64)
    )

    static let delivery = Delivery(
        deliveryID: "d-1",
        eventID: "e-1",
        userID: "u-42",
        refundID: "r-1",
        channel: .init(rawValue: 3),
        destination: "https://hooks.example.test/refunds",
        state: .init(rawValue: 1),
        attempts: 2,
        nextAttemptAtMs: 14,
        createdAtMs: 15,
        deliveredAtMs: 0,
        lastError: "HTTP 503",
        retriedBy: "",
        log: [
            DeliveryAttempt(attempt: 1, atMs: 16, outcome: .init(rawValue: 2), statusCode: 503, error: "unavailable"),
            DeliveryAttempt(attempt: 2, atMs: 17, outcome: .init(rawValue: 1), statusCode: 200, reply: "ok"),
        ],
        kind: .init(rawValue: 6)
    )
}
