import Foundation
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC
import RefundMeshStore
import RefundMeshStoreTestSupport
import RefundMeshTestSupport
import ReviewService
import Testing

/// The review handler over a real SQLite store: every automatic decision of the seed document
/// (R-R1, R-R2, R-R3, R-R5), the manual queue, and the outbox messages each decision causes.
@Suite("review handler")
struct ReviewHandlerTests {
    // MARK: R-R1 card keys

    @Test(
        "R-R1: a card key never activated is approved in full, with ApplyStatus, Publish and ExecuteRefund",
        arguments: TestBackend.all
    )
    func cardKeyNotActivated(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend) { review in
            let order = ReviewFixture.order("o-1", kind: .cardKey, priceFen: 5000)
            let ack = try await review.open(ReviewFixture.openCase("r-1", order: order))
            #expect(ack.firstTime)

            let reviewCase = try await review.getCase("r-1")
            #expect(reviewCase.outcome == .approved)
            #expect(reviewCase.amountFen == 5000)
            #expect(reviewCase.rule == "R-R1")
            #expect(reviewCase.decidedBy == "system")
            #expect(reviewCase.decidedAtMs == ReviewFixture.nowMs)
            #expect(reviewCase.reason.hasPrefix("approved (R-R1)"))  // the case's locale is English

            let outbox = try await review.outbox()
            #expect(
                Set(outbox.keys) == [
                    "intake/r-1:approved", "notification/r-1:approved", "payment-channel/r-1:execute-refund",
                ]
            )
            let status = try StatusUpdate(serializedBytes: try #require(outbox["intake/r-1:approved"]).payload)
            #expect(outbox["intake/r-1:approved"]?.destination == "intake")
            #expect(outbox["intake/r-1:approved"]?.kind == Intake.Method.applyStatus.path)
            #expect(status.eventID == "r-1:approved")
            #expect(status.state == .approved)
            #expect(status.rule == "R-R1")
            #expect(status.actor == "review")
            #expect(status.amountFen == 5000)
            #expect(status.atMs == ReviewFixture.nowMs)
            let event = try RefundEvent(serializedBytes: try #require(outbox["notification/r-1:approved"]).payload)
            #expect(outbox["notification/r-1:approved"]?.kind == Notification.Method.publish.path)
            #expect(event.kind == .approved)
            #expect(event.userID == "u-1" && event.orderID == "o-1" && event.locale == "en")
            let execute = try #require(outbox["payment-channel/r-1:execute-refund"])
            #expect(execute.destination == "payment-channel")
            #expect(execute.kind == PaymentChannel.Method.executeRefund.path)
            let refund = try ExecuteRefundRequest(serializedBytes: execute.payload)
            #expect(refund.refundID == "r-1" && refund.orderID == "o-1" && refund.userID == "u-1")
            #expect(refund.amountFen == 5000)
            #expect(refund.destination == .original)
            #expect(!refund.platformFault, "not used is the user's choice, not a platform fault (R-C2)")
        }
    }

    @Test("R-R1: an activated card key is rejected; nothing is paid", arguments: TestBackend.all)
    func cardKeyActivated(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend) { review in
            _ = try await review.record(
                FulfillmentFact(
                    factID: "f-1",
                    orderID: "o-1",
                    kind: .cardKeyActivated,
                    atMs: ReviewFixture.factAtMs + 1
                )
            )
            _ = try await review.open(ReviewFixture.openCase("r-1", order: ReviewFixture.order("o-1", kind: .cardKey)))

            let reviewCase = try await review.getCase("r-1")
            #expect(reviewCase.outcome == .rejected)
            #expect(reviewCase.rule == "R-R1")
            #expect(reviewCase.amountFen == 0)
            #expect(reviewCase.facts.map(\.factID) == ["f-1"])
            let outbox = try await review.outbox()
            #expect(Set(outbox.keys) == ["intake/r-1:rejected", "notification/r-1:rejected"])
            let event = try RefundEvent(serializedBytes: outbox["notification/r-1:rejected"]!.payload)
            #expect(event.kind == .rejected && event.rule == "R-R1" && !event.reason.isEmpty)
        }
    }

    // MARK: R-R2 direct recharges

    @Test("R-R2: a failed recharge is approved; a credited one is rejected", arguments: TestBackend.all)
    func rechargeFailedOrCredited(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend) { review in
            _ = try await review.record(
                FulfillmentFact(factID: "f-1", orderID: "o-1", kind: .rechargeFailed, atMs: ReviewFixture.factAtMs + 1)
            )
            _ = try await review.record(
                FulfillmentFact(
                    factID: "f-2",
                    orderID: "o-2",
                    kind: .rechargeCredited,
                    atMs: ReviewFixture.factAtMs + 1
                )
            )
            _ = try await review.open(
                ReviewFixture.openCase("r-1", order: ReviewFixture.order("o-1", kind: .directRecharge))
            )
            _ = try await review.open(
                ReviewFixture.openCase("r-2", order: ReviewFixture.order("o-2", kind: .directRecharge))
            )

            let failed = try await review.getCase("r-1")
            #expect(failed.outcome == .approved && failed.amountFen == 3000 && failed.rule == "R-R2")
            let credited = try await review.getCase("r-2")
            #expect(credited.outcome == .rejected && credited.rule == "R-R2")
            let outbox = try await review.outbox()
            #expect(outbox["payment-channel/r-1:execute-refund"] != nil)
            #expect(outbox["payment-channel/r-2:execute-refund"] == nil)
        }
    }

    @Test("R-R2: unknown goes to the manual queue; a late recharge-failed fact decides it", arguments: TestBackend.all)
    func rechargeUnknownThenFailed(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend) { review in
            _ = try await review.open(
                ReviewFixture.openCase("r-1", order: ReviewFixture.order("o-1", kind: .directRecharge), locale: "")
            )
            let manual = try await review.getCase("r-1")
            #expect(manual.outcome == .manual)
            #expect(manual.rule == "R-R2")
            #expect(manual.decidedBy.isEmpty, "a manual case waits for a decision (R-R10)")
            #expect(manual.manualReason.contains("R-R2"))
            var outbox = try await review.outbox()
            #expect(Set(outbox.keys) == ["intake/r-1:under-review", "notification/r-1:under-review"])
            let status = try StatusUpdate(serializedBytes: outbox["intake/r-1:under-review"]!.payload)
            #expect(status.state == .underReview)
            #expect(status.reason.hasPrefix("转人工审核"), "the case's locale, Chinese by default (R-N2)")
            let event = try RefundEvent(serializedBytes: outbox["notification/r-1:under-review"]!.payload)
            #expect(event.kind == .flaggedForReview)

            // Another order's fact changes nothing.
            _ = try await review.record(
                FulfillmentFact(factID: "f-0", orderID: "o-9", kind: .rechargeFailed, atMs: ReviewFixture.factAtMs + 5)
            )
            #expect(try await review.getCase("r-1").outcome == .manual)

            let ack = try await review.record(
                FulfillmentFact(
                    factID: "f-1",
                    orderID: "o-1",
                    kind: .rechargeFailed,
                    atMs: ReviewFixture.factAtMs + 10,
                    detail: "op-ref-7"
                )
            )
            #expect(ack.firstTime)
            let decided = try await review.getCase("r-1")
            #expect(decided.outcome == .approved)
            #expect(decided.amountFen == 3000)
            #expect(decided.decidedBy == "system")
            #expect(decided.manualReason.isEmpty)
            outbox = try await review.outbox()
            #expect(outbox["intake/r-1:approved"] != nil)
            #expect(outbox["notification/r-1:approved"] != nil)
            #expect(outbox["payment-channel/r-1:execute-refund"] != nil)
        }
    }

    @Test(
        "R-R2: with no fact recorded, the operator's answer decides and is kept as a fact",
        arguments: TestBackend.all
    )
    func operatorAnswers(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend, operatorAnswer: .failed) { review in
            _ = try await review.open(
                ReviewFixture.openCase("r-1", order: ReviewFixture.order("o-1", kind: .directRecharge))
            )
            let reviewCase = try await review.getCase("r-1")
            #expect(reviewCase.outcome == .approved)
            #expect(reviewCase.facts.map(\.kind) == [.rechargeFailed])
        }
    }

    // MARK: R-R3 platform faults

    @Test("R-R3: a duplicate charge with two captured payments is approved for the duplicate, without fee")
    func duplicateCharge() async throws {
        let payments = ReviewFixture.duplicateCaptures
        try await withTestServer(services: [FakePaymentChannel(payments: ["o-1": payments])]) { _, port in
            let client = makeTestClient(ports: [port])
            // A generous timeout: on a loaded CI machine the default 3 s can pass, and the case
            // would (correctly) go to a person instead.
            let review = try ReviewFixture(
                payments: PaymentChannelRecords(client: PaymentChannel.Client(client), timeout: .seconds(30))
            )
            _ = try await review.open(
                ReviewFixture.openCase(
                    "r-1",
                    order: ReviewFixture.order("o-1", kind: .cardKey),
                    ground: .duplicateCharge
                )
            )
            let reviewCase = try await review.getCase("r-1")
            #expect(reviewCase.outcome == .approved)
            #expect(reviewCase.amountFen == 3000)
            #expect(reviewCase.rule == "R-R3")
            let outbox = try await review.outbox()
            let refund = try ExecuteRefundRequest(
                serializedBytes: try #require(outbox["payment-channel/r-1:execute-refund"]).payload
            )
            #expect(refund.paymentID == "p-2", "the latest capture is the duplicate")
            #expect(refund.platformFault, "a duplicate charge is the platform's fault: no fee (R-C2)")
            await client.close()
        }
    }

    @Test(
        "R-R3: payment-channel unreachable → manual, then decided by the retry once it answers",
        arguments: TestBackend.all
    )
    func duplicateChargeWhilePaymentChannelDown(_ backend: TestBackend) async throws {
        let down = makeTestClient(ports: [1])  // nothing listens on port 1
        try await ReviewFixture.with(
            backend,
            payments: PaymentChannelRecords(client: PaymentChannel.Client(down), timeout: .seconds(1))
        ) { review in
            let ack = try await review.open(
                ReviewFixture.openCase(
                    "r-1",
                    order: ReviewFixture.order("o-1", kind: .cardKey),
                    ground: .duplicateCharge
                )
            )
            #expect(ack.firstTime, "the case is stored and OpenCase answers OK; intake's outbox is not blocked")
            let manual = try await review.getCase("r-1")
            #expect(manual.outcome == .manual)
            #expect(manual.rule == "R-R3")
            #expect(manual.manualReason.contains("payment records could not be read"))
            await down.close()

            let payments = [
                CapturedPayment(paymentID: "p-1", orderID: "o-1", amountFen: 1200, capturedAtMs: 1),
                CapturedPayment(paymentID: "p-2", orderID: "o-1", amountFen: 1200, capturedAtMs: 2),
            ]
            try await withTestServer(services: [FakePaymentChannel(payments: ["o-1": payments])]) { _, port in
                let client = makeTestClient(ports: [port])
                let retrying = review.handler(payments: PaymentChannelRecords(client: PaymentChannel.Client(client)))
                let first = try await retrying.retryAwaitingCases()
                let second = try await retrying.retryAwaitingCases()
                #expect(first == 1)
                #expect(second == 0, "a decided case is not retried")
                await client.close()
            }
            let decided = try await review.getCase("r-1")
            #expect(decided.outcome == .approved && decided.amountFen == 1200)
            #expect(try await review.outbox()["payment-channel/r-1:execute-refund"] != nil)
        }
    }

    @Test("R-R3: not as described goes to a person and is never retried automatically", arguments: TestBackend.all)
    func notAsDescribed(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend) { review in
            _ = try await review.open(
                ReviewFixture.openCase(
                    "r-1",
                    order: ReviewFixture.order("o-1", kind: .cardKey),
                    ground: .notAsDescribed
                )
            )
            let reviewCase = try await review.getCase("r-1")
            #expect(reviewCase.outcome == .manual && reviewCase.rule == "R-R3")
            #expect(try await review.handler.retryAwaitingCases() == 0)
        }
    }

    // MARK: R-R5 partial refunds

    @Test(
        "R-R5: a 30-day card used 10 days is offered 2000 of 3000; accepting approves 2000",
        arguments: TestBackend.all
    )
    func offerAccepted(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend) { review in
            let order = ReviewFixture.order("o-1", kind: .timeBased, priceFen: 3000, totalDays: 30)
            _ = try await review.record(
                FulfillmentFact(
                    factID: "f-1",
                    orderID: "o-1",
                    kind: .daysUsed,
                    atMs: ReviewFixture.factAtMs + 1,
                    daysUsed: 10
                )
            )
            _ = try await review.open(ReviewFixture.openCase("r-1", order: order, ground: .partlyUsed))
            let offered = try await review.getCase("r-1")
            #expect(offered.outcome == .offered)
            #expect(offered.amountFen == 2000)
            #expect(offered.rule == "R-R5")
            var outbox = try await review.outbox()
            #expect(try StatusUpdate(serializedBytes: outbox["intake/r-1:offered"]!.payload).state == .offered)
            #expect(try RefundEvent(serializedBytes: outbox["notification/r-1:offered"]!.payload).kind == .offerMade)
            #expect(outbox["payment-channel/r-1:execute-refund"] == nil)

            let answer = OfferAnswer(eventID: "a-1", refundID: "r-1", accept: true)
            let ack = try await review.handler.recordOfferAnswer(answer, context: ReviewFixture.context())
            #expect(ack.firstTime)
            #expect(
                try await review.handler.recordOfferAnswer(answer, context: ReviewFixture.context()).firstTime == false
            )
            let approved = try await review.getCase("r-1")
            #expect(approved.outcome == .approved && approved.amountFen == 2000)
            outbox = try await review.outbox()
            let refund = try ExecuteRefundRequest(
                serializedBytes: outbox["payment-channel/r-1:execute-refund"]!.payload
            )
            #expect(refund.amountFen == 2000)
            #expect(try StatusUpdate(serializedBytes: outbox["intake/r-1:approved"]!.payload).amountFen == 2000)

            let late = await #expect(throws: RPCError.self) {
                _ = try await review.handler.recordOfferAnswer(
                    OfferAnswer(eventID: "a-2", refundID: "r-1", accept: false),
                    context: ReviewFixture.context()
                )
            }
            #expect(late?.code == .failedPrecondition)
            #expect(late?.message.contains("not offered") == true)
        }
    }

    @Test("R-R5: declining the offer closes the case without a refund", arguments: TestBackend.all)
    func offerDeclined(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend) { review in
            let order = ReviewFixture.order("o-1", kind: .timeBased, priceFen: 3000, totalDays: 30)
            _ = try await review.record(
                FulfillmentFact(
                    factID: "f-1",
                    orderID: "o-1",
                    kind: .daysUsed,
                    atMs: ReviewFixture.factAtMs + 1,
                    daysUsed: 10
                )
            )
            _ = try await review.open(ReviewFixture.openCase("r-1", order: order, ground: .partlyUsed))
            _ = try await review.handler.recordOfferAnswer(
                OfferAnswer(eventID: "a-1", refundID: "r-1", accept: false),
                context: ReviewFixture.context()
            )
            let declined = try await review.getCase("r-1")
            #expect(declined.outcome == .offerDeclined)
            let outbox = try await review.outbox()
            #expect(
                try StatusUpdate(serializedBytes: outbox["intake/r-1:offer-declined"]!.payload).state == .offerDeclined
            )
            #expect(
                try RefundEvent(serializedBytes: outbox["notification/r-1:offer-declined"]!.payload).kind
                    == .offerDeclined
            )
            #expect(outbox["payment-channel/r-1:execute-refund"] == nil)
        }
    }

    // MARK: R-A7 flags

    @Test("R-A7: a flagged request goes to a person even when the records would approve it", arguments: TestBackend.all)
    func flagged(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend) { review in
            _ = try await review.open(
                ReviewFixture.openCase("r-1", order: ReviewFixture.order("o-1", kind: .cardKey), flagged: true)
            )
            let reviewCase = try await review.getCase("r-1")
            #expect(reviewCase.outcome == .manual)
            #expect(reviewCase.rule == "R-A7")
            #expect(reviewCase.manualReason.contains("3 withdrawals"))
            #expect(try await review.outbox()["payment-channel/r-1:execute-refund"] == nil)
            #expect(try await review.handler.retryAwaitingCases() == 0, "only a person decides a flagged case")
        }
    }

    // MARK: Idempotency

    @Test(
        "OpenCase and RecordFulfillment are idempotent: the decision and its messages exist once",
        arguments: TestBackend.all
    )
    func idempotency(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend) { review in
            let fact = FulfillmentFact(
                factID: "f-1",
                orderID: "o-1",
                kind: .cardKeyIssued,
                atMs: ReviewFixture.factAtMs + 1
            )
            #expect(try await review.record(fact).firstTime)
            #expect(try await review.record(fact).firstTime == false)
            // The same fact id with other facts is refused, not dropped (the first stays).
            var changed = fact
            changed.kind = .cardKeyActivated
            let conflict = await #expect(throws: RPCError.self) { _ = try await review.record(changed) }
            #expect(conflict?.code == .alreadyExists && conflict?.message.contains("kind") == true)

            let request = ReviewFixture.openCase("r-1", order: ReviewFixture.order("o-1", kind: .cardKey))
            #expect(try await review.open(request).firstTime)
            let first = try await review.getCase("r-1")
            #expect(try await review.open(request).firstTime == false)
            #expect(try await review.getCase("r-1") == first)
            #expect(try await review.outbox().count == 3)
            #expect(try await review.getCase("r-1").facts.count == 1)
        }
    }

    // MARK: Withdrawals, materials, lookups

    @Test(
        "WithdrawCase: a manual case is withdrawn once; a decided case cannot be withdrawn",
        arguments: TestBackend.all
    )
    func withdraw(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend) { review in
            _ = try await review.open(
                ReviewFixture.openCase("r-1", order: ReviewFixture.order("o-1", kind: .directRecharge))
            )
            _ = try await review.open(ReviewFixture.openCase("r-2", order: ReviewFixture.order("o-2", kind: .cardKey)))
            let context = ReviewFixture.context(Review.Method.withdrawCase)

            #expect(
                try await review.handler.withdrawCase(
                    WithdrawCaseRequest(eventID: "w-1", refundID: "r-1"),
                    context: context
                ).firstTime
            )
            #expect(
                try await review.handler.withdrawCase(
                    WithdrawCaseRequest(eventID: "w-1", refundID: "r-1"),
                    context: context
                )
                .firstTime == false
            )
            #expect(try await review.getCase("r-1").outcome == .withdrawn)
            // A late fact no longer decides a withdrawn case.
            _ = try await review.record(
                FulfillmentFact(factID: "f-1", orderID: "o-1", kind: .rechargeFailed, atMs: ReviewFixture.factAtMs + 9)
            )
            #expect(try await review.getCase("r-1").outcome == .withdrawn)

            let error = await #expect(throws: RPCError.self) {
                _ = try await review.handler.withdrawCase(
                    WithdrawCaseRequest(eventID: "w-2", refundID: "r-2"),
                    context: context
                )
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("already approved; it cannot be withdrawn") == true)
        }
    }

    @Test("AddMaterials is idempotent on event_id and needs a known case", arguments: TestBackend.all)
    func addMaterials(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend) { review in
            _ = try await review.open(
                ReviewFixture.openCase(
                    "r-1",
                    order: ReviewFixture.order("o-1", kind: .cardKey),
                    ground: .notAsDescribed
                )
            )
            let request = AddMaterialsRequest(
                eventID: "m-1",
                refundID: "r-1",
                attachments: [
                    AttachmentRef(
                        kind: .nonUseProof,
                        fileName: "video.mp4",
                        sha256Hex: String(repeating: "b", count: 64),
                        sizeBytes: 99
                    )
                ]
            )
            let context = ReviewFixture.context(Review.Method.addMaterials)
            #expect(try await review.handler.addMaterials(request, context: context).firstTime)
            #expect(try await review.handler.addMaterials(request, context: context).firstTime == false)
            let materials = try await review.database.read { db in try ReviewStore.materials(db, refundID: "r-1") }
            #expect(
                materials.map(\.sha256Hex) == [String(repeating: "a", count: 64), String(repeating: "b", count: 64)]
            )

            var unknown = request
            unknown.refundID = "r-404"
            let error = await #expect(throws: RPCError.self) {
                _ = try await review.handler.addMaterials(unknown, context: context)
            }
            #expect(error?.code == .notFound)
        }
    }

    @Test(
        "GetCase of an unknown refund is NOT_FOUND naming it; malformed requests are INVALID_ARGUMENT",
        arguments: TestBackend.all
    )
    func lookupsAndValidation(_ backend: TestBackend) async throws {
        try await ReviewFixture.with(backend) { review in
            let missing = await #expect(throws: RPCError.self) { _ = try await review.getCase("r-404") }
            #expect(missing?.code == .notFound)
            #expect(missing?.message.contains("r-404") == true)

            let noFactID = await #expect(throws: RPCError.self) {
                _ = try await review.record(FulfillmentFact(orderID: "o-1", kind: .cardKeyActivated))
            }
            #expect(noFactID?.code == .invalidArgument)
            #expect(noFactID?.message.contains("fact_id") == true)
            let noKind = await #expect(throws: RPCError.self) {
                _ = try await review.record(FulfillmentFact(factID: "f-1", orderID: "o-1"))
            }
            #expect(noKind?.code == .invalidArgument)
            let noOrder = await #expect(throws: RPCError.self) {
                _ = try await review.open(OpenCaseRequest(refundID: "r-1"))
            }
            #expect(noOrder?.code == .invalidArgument)
            #expect(noOrder?.message.contains("order is required") == true)
        }
    }
}

@Suite("review configuration")
struct ReviewConfigurationTests {
    @Test("REVIEW_OPERATOR_SANDBOX and intervals are read; bad values name the variable")
    func environment() throws {
        #expect(try ReviewConfiguration(environment: [:]) == ReviewConfiguration())
        let configured = try ReviewConfiguration(
            environment: ["REVIEW_OPERATOR_SANDBOX": "Failed", "REVIEW_RETRY_INTERVAL_MS": "500"]
        )
        #expect(configured.operatorSandbox == .failed)
        #expect(configured.retryInterval == .milliseconds(500))
        #expect(throws: ReviewConfigurationError.self) {
            try ReviewConfiguration(environment: ["REVIEW_OPERATOR_SANDBOX": "maybe"])
        }
    }
}
