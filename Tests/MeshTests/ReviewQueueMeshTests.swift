import Foundation
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC
import Testing

/// Manual review over the real mesh: claims (R-R10), SLAs on the working-day calendar (R-R4),
/// materials round trips (R-R6), offers (R-R5), priorities (R-R8) and risk flags (R-R7).
@Suite("manual review over the mesh")
struct ReviewQueueMeshTests {
    static let day: Int64 = 86_400_000
    /// Friday 2026-11-27 16:00 China Standard Time.
    static let fridayAfternoon: Int64 = 1_795_766_400_000
    /// Wednesday 2026-11-25 10:00 China Standard Time.
    static let wednesdayMorning: Int64 = 1_795_572_000_000

    /// The platform, the user and the reviewers, talking to one mesh.
    struct World {
        let mesh: Mesh
        let intake: Intake.Client
        let review: Review.Client
        let payments: PaymentChannel.Client
        let notification: RefundMeshAPI.Notification.Client
        /// The mesh's clock at the start (its REFUNDMESH_CLOCK_ORIGIN_MS, or the real time).
        let startMs: Int64

        static func start(_ environment: [String: String], clockOrigin: Int64? = nil) async throws -> World {
            var environment = environment
            if let clockOrigin { environment["REFUNDMESH_CLOCK_ORIGIN_MS"] = String(clockOrigin) }
            environment["REVIEW_RETRY_INTERVAL_MS"] = environment["REVIEW_RETRY_INTERVAL_MS"] ?? "200"
            environment["PAYMENT_SANDBOX_SETTLE_MILLIS"] = "50"
            let mesh = try Mesh(extraEnvironment: environment)
            try await mesh.start()
            return World(
                mesh: mesh,
                intake: Intake.Client(mesh.client("intake")),
                review: Review.Client(mesh.client("review")),
                payments: PaymentChannel.Client(mesh.client("payment-channel")),
                notification: RefundMeshAPI.Notification.Client(mesh.client("notification")),
                startMs: clockOrigin ?? Int64(Date().timeIntervalSince1970 * 1000)
            )
        }

        static func reviewer(_ id: String) -> CallOptions { CallOptions(metadata: ["reviewer-id": id]) }

        func claim(_ refundID: String, as reviewer: String) async throws -> CaseClaim {
            try await review.claimCase(ClaimCaseRequest(refundID: refundID), options: Self.reviewer(reviewer))
        }

        /// Records an order and its payment, as the shop platform would; the user is `u-<id>`.
        func sell(
            _ id: String,
            kind: ProductKind = .virtualService,
            price: Int64 = 1_000,
            totalDays: Int32 = 0,
            elderly: Bool = false,
            buyerDevice: String = "",
            buyerIP: String = "",
            extraPayment: Bool = false
        ) async throws {
            let paidAt = startMs - Self.paidAgo
            _ = try await intake.recordOrder(
                RecordOrderRequest(
                    order: Order(
                        orderID: id,
                        userID: "u-\(id)",
                        productKind: kind,
                        sku: "sku-\(id)",
                        productName: "product \(id)",
                        priceFen: price,
                        paidAtMs: paidAt,
                        cardKeyID: kind == .cardKey ? "ck-\(id)" : "",
                        rechargeAccount: kind == .directRecharge ? "acct-\(id)" : "",
                        totalDays: totalDays,
                        buyerDeviceID: buyerDevice,
                        buyerIP: buyerIP,
                        elderlyCare: elderly
                    )
                )
            )
            for suffix in extraPayment ? ["", "-2"] : [""] {
                _ = try await payments.recordPayment(
                    CapturedPayment(
                        paymentID: "pay-\(id)\(suffix)",
                        orderID: id,
                        userID: "u-\(id)",
                        method: .alipay,
                        amountFen: price,
                        capturedAtMs: paidAt
                    )
                )
            }
        }

        static let paidAgo: Int64 = 3_600_000

        func submit(
            _ order: String,
            ground: RefundGround = .notAsDescribed,
            device: String = "",
            ip: String = ""
        ) async throws -> RefundView {
            try await intake.submitRefund(
                SubmitRefundRequest(
                    idempotencyKey: "key-\(order)",
                    userID: "u-\(order)",
                    orderID: order,
                    source: .orderPage,
                    ground: ground,
                    reasonStatement:
                        "The item did not match its description: the listed bonus was missing, screenshots attached.",
                    attachments: [
                        Attachment(kind: .orderProof, fileName: "o.png", contentType: "image/png", content: [1]),
                        Attachment(kind: .paymentProof, fileName: "p.png", contentType: "image/png", content: [2]),
                        Attachment(kind: .nonUseProof, fileName: "n.png", contentType: "image/png", content: [3]),
                    ],
                    destination: .original,
                    requesterDeviceID: device,
                    requesterIP: ip,
                    locale: "en"
                )
            )
        }

        /// Polls `condition` on the user's view of the refund until it holds (30 s at most).
        func refund(_ view: RefundView, until condition: (RefundView) -> Bool) async throws -> RefundView {
            var current = view
            let deadline = ContinuousClock.now + .seconds(30)
            while !condition(current) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(25))
                current = try await intake.getRefund(GetRefundRequest(userID: view.userID, refundID: view.refundID))
            }
            return current
        }

        /// Polls review until the case's outcome is `outcome`.
        func reviewCase(_ refundID: String, until outcome: ReviewCase.Outcome) async throws -> CaseDetail {
            // intake's outbox opens the case shortly after SubmitRefund answers.
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                do {
                    let detail = try await review.getCaseDetail(GetCaseRequest(refundID: refundID))
                    if detail.reviewCase?.outcome == outcome || ContinuousClock.now >= deadline { return detail }
                } catch let error as RPCError where error.code == .notFound && ContinuousClock.now < deadline {}
                try await Task.sleep(for: .milliseconds(25))
            }
        }

        /// Polls an inbox until it holds at least `count` items of `kind`.
        func inbox(_ userID: String, kind: RefundEvent.Kind, atLeast count: Int) async throws -> [InboxItem] {
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let items = try await notification.listInbox(ListInboxRequest(userID: userID, limit: 200)).items
                    .filter { $0.kind == kind }
                if items.count >= count || ContinuousClock.now >= deadline { return items }
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        var addresses: [String] { Mesh.names.flatMap { ["--\($0)", "127.0.0.1:\(mesh.ports[$0]!)"] } }
    }

    @Test("R-R10: two reviewers claim one case at once; one wins, the other can neither claim nor decide it")
    func claimRace() async throws {
        let world = try await World.start([:])
        for round in 1...5 {
            try await world.sell("race-\(round)")
            let view = try await world.submit("race-\(round)")
            _ = try await world.reviewCase(view.refundID, until: .manual)
            async let alice = attempt { try await world.claim(view.refundID, as: "alice") }
            async let bob = attempt { try await world.claim(view.refundID, as: "bob") }
            let results = await [("alice", alice), ("bob", bob)]
            let winners = results.filter { if case .success = $0.1 { true } else { false } }
            #expect(winners.count == 1, "round \(round): \(results)")
            guard let winner = winners.first?.0 else { continue }
            let loser = winner == "alice" ? "bob" : "alice"
            let refused = results.first { $0.0 == loser }!.1
            if case .failure(let error as RPCError) = refused {
                #expect(error.code == .failedPrecondition)
                #expect(error.message.contains("claimed by \(winner)"), "\(error.message)")
            } else {
                Issue.record("round \(round): \(loser)'s claim was not refused: \(refused)")
            }
            let approve = DecideCaseRequest(
                decisionID: "d-\(round)",
                refundID: view.refundID,
                action: .approveFull,
                note: "the listed bonus is missing from the delivered item"
            )
            await #expect(throws: RPCError.self) {
                var stolen = approve
                stolen.decisionID = "stolen-\(round)"
                _ = try await world.review.decideCase(stolen, options: World.reviewer(loser))
            }
            let decided = try await world.review.decideCase(approve, options: World.reviewer(winner))
            #expect(decided.reviewCase?.outcome == .approved)
            #expect(decided.reviewCase?.decidedBy == "reviewer:\(winner)")
            #expect(decided.reviewCase?.decisionNote == "the listed bonus is missing from the delivered item")
            // The same decision id again changes nothing and pays nothing twice.
            let again = try await world.review.decideCase(approve, options: World.reviewer(winner))
            #expect(again.reviewCase?.outcome == .approved)
            let paid = try await world.refund(view) { $0.state == .moneyArrived }
            #expect(paid.state == .moneyArrived)
            #expect(paid.decidedAmountFen == 1_000)
            #expect(paid.timeline.filter { $0.state == .approved }.count == 1)
            #expect(paid.timeline.contains { $0.actor == "reviewer:\(winner)" && $0.rule == "R-R3" })
        }
        // Without a reviewer's token the queue is not shown: who works it comes from the token (R-R10).
        let anonymous = world.mesh.client("review", signed: false)
        let refused = await #expect(throws: RPCError.self) {
            _ = try await Review.Client(anonymous).listQueue(ListQueueRequest())
        }
        #expect(refused?.code == .unauthenticated)
        await anonymous.close()
        _ = try await world.mesh.stop()
    }

    @Test(
        "R-R4/R-R6: a case opened Friday 16:00 is due Thursday 16:00 over a weekend and a Monday holiday; materials pause it"
    )
    func slaCalendarAndPause() async throws {
        let world = try await World.start(["REFUND_HOLIDAYS": "2026-11-30"], clockOrigin: Self.fridayAfternoon)
        try await world.sell("cal-1")
        let view = try await world.submit("cal-1")
        let detail = try await world.reviewCase(view.refundID, until: .manual)
        let queue = try #require(detail.queue)
        let calendar = WorkingCalendar(holidays: [CivilDate(year: 2026, month: 11, day: 30)!])
        // 3 working days: Friday's last 8 hours, Tuesday, Wednesday, Thursday's first 16 hours.
        #expect(queue.slaKind == "manual")
        #expect(calendar.format(queue.slaDueAtMs) == "2026-12-03")
        #expect(abs(queue.slaDueAtMs - queue.openedAtMs - 6 * Self.day) < 5_000, "\(queue)")
        #expect(queue.slaStatus == .onTrack)

        _ = try await world.review.claimCase(
            ClaimCaseRequest(refundID: view.refundID),
            options: World.reviewer("carol")
        )
        let asked = try await world.review.decideCase(
            DecideCaseRequest(
                decisionID: "ask-1",
                refundID: view.refundID,
                action: .requestMaterials,
                materials: [.nonUseProof],
                note: "send the operator's failure certificate"
            ),
            options: World.reviewer("carol")
        )
        #expect(asked.reviewCase?.outcome == .awaitingMaterials)
        #expect(asked.queue?.slaStatus == .paused)
        #expect(asked.queue?.slaDueAtMs == 0)
        #expect(asked.queue?.claimedBy == "")
        let waiting = try await world.refund(view) { $0.state == .awaitingMaterials }
        #expect(waiting.requestedMaterials == [.nonUseProof])
        let needed = try await world.inbox("u-cal-1", kind: .materialsNeeded, atLeast: 1)
        #expect(needed.count == 1)
        // Not in the queue while paused; listed with --all.
        let queueNow = try await world.review.listQueue(ListQueueRequest(), options: World.reviewer("carol"))
        #expect(!queueNow.items.contains { $0.refundID == view.refundID })

        try await Task.sleep(for: .milliseconds(1_200))
        _ = try await world.intake.supplyMaterials(
            SupplyMaterialsRequest(
                userID: "u-cal-1",
                refundID: view.refundID,
                attachments: [
                    Attachment(kind: .nonUseProof, fileName: "cert.pdf", contentType: "application/pdf", content: [9])
                ]
            )
        )
        let back = try await world.reviewCase(view.refundID, until: .manual)
        let resumed = try #require(back.queue)
        #expect(resumed.slaStatus == .onTrack)
        // The clock stood still while the user was asked: the due time moved by the pause.
        #expect(resumed.slaDueAtMs - queue.slaDueAtMs >= 1_100, "\(resumed.slaDueAtMs - queue.slaDueAtMs)")
        #expect(resumed.slaDueAtMs - queue.slaDueAtMs < 60_000)
        let inReview = try await world.refund(view) { $0.state == .underReview }
        #expect(inReview.state == .underReview)
        #expect(inReview.requestedMaterials.isEmpty)
        #expect(back.materials.contains { $0.fileName == "cert.pdf" })
        #expect(back.timeline.contains { $0.rule == "R-R6" })
        _ = try await world.mesh.stop()
    }

    @Test("R-R4: a breach escalates to the supervisors and the user, and refundctl overdue lists it")
    func breachEscalation() async throws {
        let world = try await World.start(
            [
                "REVIEW_SLA_MANUAL_MS": "1500", "REVIEW_SLA_WARNING_MS": "1000", "REVIEW_SLA_SCAN_INTERVAL_MS": "100",
                "REVIEW_ESCALATION_RECIPIENT": "leads",
            ],
            clockOrigin: Self.wednesdayMorning
        )
        try await world.sell("late-1")
        let view = try await world.submit("late-1")
        let supervisors = try await world.inbox("leads", kind: .slaEscalated, atLeast: 2)
        #expect(supervisors.count == 2, "due soon, then breached: \(supervisors.map(\.body))")
        #expect(supervisors.allSatisfy { $0.refundID == view.refundID })
        let user = try await world.inbox("u-late-1", kind: .slaEscalated, atLeast: 1)
        #expect(user.count == 1)
        let timeline = try await world.refund(view) { $0.timeline.contains { $0.rule == "R-R4" } }.timeline
        #expect(timeline.contains { $0.rule == "R-R4" })
        let overdue = try await world.review.listOverdue(ListOverdueRequest())
        let item = try #require(overdue.items.first { $0.refundID == view.refundID })
        #expect(item.slaStatus == .breached)
        #expect(item.priority == 1)
        #expect(item.priorityReasons.contains("sla_breached"))
        let cli = try await RefundCtl.run(["overdue"] + world.addresses)
        #expect(cli.status == 0)
        #expect(cli.output.contains(view.refundID) && cli.output.contains("BREACHED"), "\(cli.output)")
        // Escalated once per level: more scans send nothing more.
        try await Task.sleep(for: .milliseconds(500))
        let later = try await world.notification.listInbox(ListInboxRequest(userID: "leads", limit: 200)).items
        #expect(later.filter { $0.kind == .slaEscalated }.count == 2)
        _ = try await world.mesh.stop()
    }

    @Test("R-R5: a reviewer's pro-rated offer accepted pays 20/30; declined closes without a refund; partial approval")
    func offers() async throws {
        let world = try await World.start([:])
        for id in ["month-yes", "month-no"] {
            try await world.sell(id, kind: .timeBased, price: 3_000, totalDays: 30)
        }
        let yes = try await world.submit("month-yes", ground: .partlyUsed)
        let no = try await world.submit("month-no", ground: .partlyUsed)
        for view in [yes, no] {
            _ = try await world.reviewCase(view.refundID, until: .manual)
            _ = try await world.review.claimCase(
                ClaimCaseRequest(refundID: view.refundID),
                options: World.reviewer("dan")
            )
            let offered = try await world.review.decideCase(
                DecideCaseRequest(
                    decisionID: "offer-\(view.refundID)",
                    refundID: view.refundID,
                    action: .offer,
                    daysUsed: 10,
                    note: "the game log shows 10 of 30 days used"
                ),
                options: World.reviewer("dan")
            )
            #expect(offered.reviewCase?.outcome == .offered)
            #expect(offered.reviewCase?.amountFen == 2_000)
        }
        _ = try await world.refund(yes) { $0.state == .offered }
        _ = try await world.refund(no) { $0.state == .offered }
        _ = try await world.intake.answerOffer(
            AnswerOfferRequest(userID: yes.userID, refundID: yes.refundID, accept: true)
        )
        _ = try await world.intake.answerOffer(
            AnswerOfferRequest(userID: no.userID, refundID: no.refundID, accept: false)
        )
        let paid = try await world.refund(yes) { $0.state == .moneyArrived }
        #expect(paid.state == .moneyArrived)
        #expect(paid.decidedAmountFen == 2_000)
        let declined = try await world.refund(no) { $0.state == .offerDeclined }
        #expect(declined.state == .offerDeclined)
        try await Task.sleep(for: .milliseconds(300))
        await #expect(throws: RPCError.self) {
            _ = try await world.payments.getRefundPayment(GetRefundPaymentRequest(refundID: no.refundID))
        }

        try await world.sell("part-1", price: 3_000)
        let part = try await world.submit("part-1")
        _ = try await world.reviewCase(part.refundID, until: .manual)
        _ = try await world.review.claimCase(ClaimCaseRequest(refundID: part.refundID), options: World.reviewer("dan"))
        await #expect(throws: RPCError.self) {
            _ = try await world.review.decideCase(
                DecideCaseRequest(
                    decisionID: "too-much",
                    refundID: part.refundID,
                    action: .approvePartial,
                    amountFen: 3_001,
                    note: "more than asked"
                ),
                options: World.reviewer("dan")
            )
        }
        _ = try await world.review.decideCase(
            DecideCaseRequest(
                decisionID: "part",
                refundID: part.refundID,
                action: .approvePartial,
                amountFen: 1_200,
                note: "only the missing bonus part is refunded"
            ),
            options: World.reviewer("dan")
        )
        let partPaid = try await world.refund(part) { $0.state == .moneyArrived }
        #expect(partPaid.decidedAmountFen == 1_200)
        _ = try await world.mesh.stop()
    }

    @Test(
        "R-R8: the queue puts SLA-urgent first, then elderly users and large amounts, then the rest; refundctl works it"
    )
    func priorityOrder() async throws {
        let world = try await World.start(["REVIEW_SLA_AUTOMATIC_MS": "60000"])
        try await world.sell("plain", price: 1_000)
        try await world.sell("elder", price: 1_000, elderly: true)
        try await world.sell("large", price: 60_000)
        try await world.sell("recharge", kind: .directRecharge, price: 1_000)
        var ids: [String: String] = [:]
        for (order, ground) in [
            ("plain", RefundGround.notAsDescribed), ("elder", .notAsDescribed), ("large", .notAsDescribed),
            ("recharge", .notUsed),
        ] {
            let view = try await world.submit(order, ground: ground)
            ids[order] = view.refundID
            _ = try await world.reviewCase(view.refundID, until: .manual)
        }
        let queue = try await world.review.listQueue(ListQueueRequest(), options: World.reviewer("erin"))
        let order = queue.items.map(\.refundID)
        #expect(order == ["recharge", "elder", "large", "plain"].map { ids[$0]! }, "\(queue.items)")
        #expect(queue.items.map(\.priority) == [1, 2, 2, 3])
        #expect(queue.items[0].priorityReasons == ["sla_due_soon"])
        #expect(queue.items[0].slaKind == "automatic")
        #expect(queue.items[1].priorityReasons == ["elderly_care"])
        #expect(queue.items[2].priorityReasons == ["large_amount"])

        // The reviewer's day with refundctl: queue, claim the next case, show it, decide, overdue.
        let me = ["--reviewer", "erin"]
        let listed = try await RefundCtl.run(["queue"] + me + world.addresses)
        #expect(listed.status == 0)
        let lines = listed.output.split(separator: "\n").dropFirst().map(String.init)
        #expect(lines.first?.contains(ids["recharge"]!) == true, "\(listed.output)")
        let claimed = try await RefundCtl.run(["claim"] + me + world.addresses)
        #expect(claimed.output.contains("claimed \(ids["recharge"]!) as erin"), "\(claimed.output)")
        let other = try await RefundCtl.run(["claim", ids["recharge"]!, "--reviewer", "frank"] + world.addresses)
        #expect(other.status != 0)
        #expect(other.output.contains("claimed by erin"), "\(other.output)")
        let shown = try await RefundCtl.run(["show", ids["recharge"]!] + world.addresses)
        #expect(shown.output.contains("SLA       automatic due-soon"), "\(shown.output)")
        #expect(shown.output.contains("payment   pay-recharge"), "\(shown.output)")
        let decided = try await RefundCtl.run(
            [
                "decide", ids["recharge"]!, "reject", "--negative-list", "user-mistake", "--note",
                "the account entered was wrong",
            ]
                + me + world.addresses
        )
        #expect(decided.status == 0, "\(decided.output)")
        #expect(decided.output.contains("R-A3"), "\(decided.output)")
        let rejected = try await world.refund(
            RefundView(refundID: ids["recharge"]!, userID: "u-recharge")
        ) { $0.state == .rejected }
        #expect(rejected.timeline.contains { $0.rule == "R-A3" && $0.actor == "reviewer:erin" })
        let overdue = try await RefundCtl.run(["overdue"] + world.addresses)
        #expect(overdue.output.contains("nothing overdue"), "\(overdue.output)")
        _ = try await world.mesh.stop()
    }

    @Test(
        "R-R7: a request from another device and network goes to a person with its reasons; the buyer's own is approved"
    )
    func riskFlags() async throws {
        let world = try await World.start([:])
        for id in ["own", "stolen", "double"] {
            try await world.sell(
                id,
                kind: .cardKey,
                price: 2_000,
                buyerDevice: "phone-1",
                buyerIP: "10.0.0.1",
                extraPayment: id == "double"
            )
        }
        let own = try await world.submit("own", ground: .notUsed, device: "phone-1", ip: "10.0.0.1")
        let stolen = try await world.submit("stolen", ground: .notUsed, device: "phone-9", ip: "203.0.113.9")
        let double = try await world.submit("double", ground: .notUsed, device: "phone-1", ip: "10.0.0.1")
        #expect(try await world.refund(own) { $0.state == .moneyArrived }.state == .moneyArrived)
        let flagged = try await world.reviewCase(stolen.refundID, until: .manual)
        let risk = try #require(flagged.risk)
        #expect(risk.manual)
        #expect(Set(risk.signals.map(\.name)) == ["device_mismatch", "ip_mismatch"])
        #expect(risk.signals.allSatisfy { !$0.detail.isEmpty })
        #expect(flagged.reviewCase?.rule == "R-R7")
        let twice = try await world.reviewCase(double.refundID, until: .manual)
        #expect(twice.risk?.signals.map(\.name) == ["duplicate_payments"])
        let approved = try await world.review.getCaseDetail(GetCaseRequest(refundID: own.refundID))
        #expect(approved.risk?.manual == false)
        #expect(approved.risk?.signals.isEmpty == true)
        _ = try await world.mesh.stop()
    }
}

private func attempt<T: Sendable>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}
