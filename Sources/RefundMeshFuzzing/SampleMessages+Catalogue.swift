import RefundMeshAPI
import RefundMeshTestSupport
import RefundMeshWire

extension SampleMessages {
    /// One value per type, in any order: the seeds take their selector byte from
    /// ``FuzzMessageTypes/selector(for:)``.
    static let all: [any ProtoMessage] = [
        Frame(
            kind: .call,
            callID: 1,
            method: "/refundmesh.intake.v1.Intake/SubmitRefund",
            timeoutMicros: 1_000,
            metadata: [MetadataEntry(key: "k", value: "v"), MetadataEntry(key: "k-bin", binaryValue: [0, 1])],
            hasMessage: true,
            message: [1, 2, 3],
            endStream: true,
            status: Status(code: 2, message: "x"),
            window: 4,
            pingData: 5,
            lastCallID: 6,
            settings: Settings(maxFrameBytes: 7)
        ),
        Status(code: -1, message: "négatif", details: [StatusDetail(typeURL: "t", value: [0])]),
        Settings(maxFrameBytes: .max, maxConcurrentCalls: 1, initialWindow: 2, idleTimeoutMillis: 3),
        errorInfo,
        badRequest,
        RetryInfo(retryDelayMillis: 1_500),
        KitchenSink.everyField,
        RecordOrderRequest(order: order),
        Policy(
            windows: [Policy.Window(productKind: .init(rawValue: 1), days: 7), Policy.Window(days: 1)],
            negativeList: ["already used card key", "动态"],
            materials: [Policy.MaterialRequirement(ground: .init(rawValue: 2), required: [.init(rawValue: 1)])],
            feeBasisPoints: 60,
            arrivals: [Policy.Arrival(method: .init(rawValue: 3), description: "1–3 working days", maxWorkingDays: 3)],
            balanceWithdrawable: true,
            maxWithdrawalsPerOrder: 1,
            maxWithdrawalsPerUserPerDay: 3,
            maxAttachmentBytes: 5 << 20,
            maxAttachments: 5,
            locale: "zh-CN"
        ),
        PreCheckRequest(
            userID: "u-42",
            orderID: "o-1001",
            ground: .init(rawValue: 1),
            destination: .init(rawValue: 2),
            materials: [.init(rawValue: 1), .init(rawValue: 99)],
            reasonStatement: "never used",
            locale: "en"
        ),
        PreCheckResponse(
            eligible: true,
            rule: "R-A1",
            reason: "ok",
            missingMaterials: [.init(rawValue: 2)],
            deadlineMs: 1,
            expectedAmountFen: 10_000,
            proRated: true,
            destination: .init(rawValue: 1),
            refundMethod: .init(rawValue: 1),
            feeFen: 60,
            expectedArrivalMs: 2,
            arrivalDescription: "instant",
            balanceWithdrawable: true
        ),
        SubmitRefundRequest(
            idempotencyKey: "idem-1",
            userID: "u-42",
            orderID: "o-1001",
            source: .init(rawValue: 1),
            ground: .init(rawValue: 2),
            reasonStatement: "charged twice",
            attachments: [attachment, Attachment()],
            destination: .init(rawValue: 1),
            paymentID: "p-1",
            requesterDeviceID: "dev-1",
            requesterIP: "2001:db8::1",
            locale: "zh-CN"
        ),
        SupplyMaterialsRequest(userID: "u-42", refundID: "r-1", attachments: [attachment], reasonStatement: "here"),
        AnswerOfferRequest(userID: "u-42", refundID: "r-1", accept: true),
        ListRefundsResponse(refunds: [refundView, RefundView(refundID: "r-2")]),
        refundView,
        StatusUpdate(
            eventID: "e-1",
            refundID: "r-1",
            state: .init(rawValue: 4),
            rule: "R-M1",
            reason: "materials needed",
            actor: "review",
            amountFen: 1,
            feeFen: 2,
            expectedArrivalMs: 3,
            requestedMaterials: [.init(rawValue: 1)],
            atMs: 4
        ),
        fulfillmentFact,
        OpenCaseRequest(
            refundID: "r-1",
            order: order,
            ground: .init(rawValue: 2),
            reasonStatement: "duplicate charge",
            attachments: [attachmentRef],
            destination: .init(rawValue: 1),
            paymentID: "p-1",
            requestedAmountFen: 10_000,
            flaggedForReview: true,
            flagReason: "risk",
            requesterDeviceID: "dev-1",
            requesterIP: "203.0.113.7",
            submittedAtMs: 5,
            locale: "en",
            userHistory: userHistory
        ),
        AddMaterialsRequest(eventID: "e-2", refundID: "r-1", attachments: [attachmentRef], reasonStatement: "more"),
        DecideCaseRequest(
            decisionID: "dec-1",
            refundID: "r-1",
            action: .init(rawValue: 2),
            amountFen: 4_500,
            daysUsed: 15,
            negativeListItem: .init(rawValue: 2),
            materials: [.init(rawValue: 1), .init(rawValue: 2)],
            note: "half used"
        ),
        reviewCase,
        ListQueueResponse(items: [queueItem, QueueItem()], asOfMs: 18),
        CaseDetail(
            reviewCase: reviewCase,
            queue: queueItem,
            order: order,
            ground: .init(rawValue: 1),
            reasonStatement: "never used",
            destination: .init(rawValue: 2),
            requestedAmountFen: 10_000,
            paymentID: "p-1",
            payments: [capturedPayment],
            paymentsUnavailable: "",
            materials: [attachmentRef],
            requestedMaterials: [.init(rawValue: 3)],
            risk: riskAssessment,
            flagged: true,
            flagReason: "risk",
            requesterDeviceID: "dev-1",
            requesterIP: "203.0.113.7",
            userHistory: userHistory,
            timeline: timeline
        ),
        CaseEvidence(
            refundID: "r-1",
            entries: [EvidenceEntry(sequence: 1, entry: Array("{\"kind\":\"opened\"}".utf8), hash: [9, 9])],
            proofs: [InclusionProof(sequence: 1, path: [[1, 2], [], [3]])],
            checkpoint: checkpoint
        ),
        ListCheckpointsResponse(checkpoints: [checkpoint, EvidenceCheckpoint()]),
        capturedPayment,
        QuoteRequest(
            orderID: "o-1001",
            amountFen: 10_000,
            destination: .init(rawValue: 2),
            platformFault: true,
            paymentID: "p-1"
        ),
        RefundQuote(
            method: .init(rawValue: 1),
            destination: .init(rawValue: 1),
            amountFen: 10_000,
            feeFen: 60,
            netAmountFen: 9_940,
            expectedArrivalMs: 19,
            arrivalDescription: "即时到账",
            balanceWithdrawable: false
        ),
        executeRefund,
        refundPayment,
        RefundLedger(
            refundID: "r-1",
            entries: [
                LedgerEntry(
                    entryID: 1,
                    refundID: "r-1",
                    movement: "refund_sent",
                    atMs: 20,
                    postings: [
                        LedgerPosting(account: "refunds_payable", amountFen: -9_000),
                        LedgerPosting(account: "provider_clearing", amountFen: 9_000),
                    ],
                    memo: "sent"
                )
            ]
        ),
        TrialBalanceReport(
            accounts: [LedgerPosting(account: "cash", amountFen: .min)],
            totalFen: 0,
            balanced: false,
            entries: 2,
            unbalancedEntryIds: [7, .max, -1]
        ),
        ReconciliationReport(
            method: .init(rawValue: 2),
            date: "2026-11-20",
            ourRefunds: 3,
            providerRecords: 4,
            mismatches: [
                ReconciliationMismatch(
                    kind: .init(rawValue: 3),
                    refundID: "r-1",
                    providerRefundNo: "RF1",
                    ourAmountFen: 1,
                    providerAmountFen: 2,
                    ourState: "sent",
                    providerState: "SUCCESS",
                    detail: "amount differs"
                )
            ]
        ),
        AlertList(alerts: [PaymentAlert(alertID: 1, refundID: "r-1", kind: "abnormal", message: "no answer", atMs: 21)]
        ),
        ResolveRefundRequest(refundID: "r-1", action: .init(rawValue: 2), operatorID: "op-1", note: "to balance"),
        RefundEvent(
            eventID: "e-1",
            userID: "u-42",
            refundID: "r-1",
            orderID: "o-1001",
            kind: .init(rawValue: 2),
            amountFen: 9_000,
            feeFen: 0,
            rule: "R-M1",
            reason: "need receipt",
            materials: [.init(rawValue: 2)],
            expectedArrivalMs: 22,
            atMs: 23,
            locale: "zh-CN"
        ),
        ListInboxResponse(
            items: [
                InboxItem(
                    itemID: "i-1",
                    eventID: "e-1",
                    refundID: "r-1",
                    kind: .init(rawValue: 7),
                    title: "退款已到账",
                    body: "¥90.00",
                    locale: "zh-CN",
                    createdAtMs: 24,
                    read: true
                )
            ],
            unreadCount: 3
        ),
        MarkReadRequest(userID: "u-42", itemIds: ["i-1", "i-2", ""]),
        ChannelPreferences(
            userID: "u-42",
            smsEnabled: true,
            emailEnabled: true,
            webhookEnabled: true,
            phone: "+8613800000000",
            email: "buyer@example.test",
            webhookURL: "https://hooks.example.test/r",
            webhookSecret: "s3cret",
            locale: "en",
            webhookSecretSet: true,
            updatedAtMs: 25
        ),
        ListDeliveriesResponse(deliveries: [delivery, Delivery(channel: .init(rawValue: 99))]),
        Ack(firstTime: true),
    ]
}
