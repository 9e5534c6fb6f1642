import Foundation
import GRDB
import GRDBSQLite
import Logging
import RefundMeshAPI
import RefundMeshPostgres
import RefundMeshRPC
import RefundMeshStore
import RefundMeshStoreTestSupport
import Testing

@testable import IntakeService

/// The real `intake` executable over TCP, with review, payment-channel and notification played
/// by the test (they only record what intake sends them).
@Suite("intake service (real process)")
struct IntakeServiceTests {
    static let day: Int64 = 86_400_000
    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func cardKeyOrder(_ id: String, user: String = "u-1", paidDaysAgo: Int64 = 1, price: Int64 = 10_000) -> Order
    {
        Order(
            orderID: id,
            userID: user,
            productKind: .cardKey,
            sku: "steam-100",
            productName: "Steam 100 card",
            priceFen: price,
            paidAtMs: nowMs - paidDaysAgo * day,
            cardKeyID: "ck-\(id)"
        )
    }

    static func submission(_ key: String, order: String, user: String = "u-1") -> SubmitRefundRequest {
        SubmitRefundRequest(
            idempotencyKey: key,
            userID: user,
            orderID: order,
            source: .orderPage,
            ground: .notUsed,
            reasonStatement: "The card was never redeemed: the code is still sealed in the email I received.",
            attachments: [
                Attachment(
                    kind: .orderProof,
                    fileName: "order.png",
                    contentType: "image/png",
                    content: Array("order".utf8)
                ),
                Attachment(
                    kind: .paymentProof,
                    fileName: "pay.png",
                    contentType: "image/png",
                    content: Array("paid".utf8)
                ),
                Attachment(
                    kind: .nonUseProof,
                    fileName: "sealed.mp4",
                    contentType: "video/mp4",
                    content: Array("video".utf8)
                ),
            ],
            destination: .original,
            locale: "en"
        )
    }

    /// The intake process on `backend`'s engine: its SQLite file, or `INTAKE_DATABASE_URL` naming
    /// a database of its own on the test PostgreSQL server.
    /// - Parameter dataDirectory: intake's data folder, for a test that reads its SQLite file
    ///   after intake stopped; a temporary one by default.
    private func withIntake(
        _ backend: TestBackend,
        dataDirectory: URL? = nil,
        _ body: (Intake.Client, IntakeTestPeers) async throws -> Void
    ) async throws {
        guard backend == .postgres else {
            return try await withIntake(databaseURL: nil, dataDirectory: dataDirectory, body)
        }
        try await TestBackend.withPostgresDatabaseURL { url in
            try await withIntake(databaseURL: url, body)
            // It was that database intake used: its tables and their migrations are there.
            let store = PostgresStore(configuration: try .init(url: url), logger: Logger(label: "intake-tests"))
            let migrated = try await TestBackend.running([store]) { try await store.appliedMigrations() }
            #expect(migrated.contains("intake.2.order-history"), "\(migrated)")
        }
    }

    private func withIntake(
        databaseURL: String?,
        dataDirectory: URL? = nil,
        _ body: (Intake.Client, IntakeTestPeers) async throws -> Void
    ) async throws {
        let peers = IntakeTestPeers()
        try await withTestPeerServer(peers.services) { peerPort in
            let service = try ServiceProcess("intake", dataDirectory: dataDirectory)
            let address = "127.0.0.1:\(peerPort)"
            var environment = [
                "REVIEW_ADDR": address, "PAYMENT_CHANNEL_ADDR": address, "NOTIFICATION_ADDR": address,
            ]
            environment["INTAKE_DATABASE_URL"] = databaseURL
            try await service.start(environment: environment)
            let client = service.client()
            try await body(Intake.Client(client), peers)
            await client.close()
            #expect(try await service.stop() == 0, "SIGTERM ends intake cleanly")
        }
    }

    @Test(
        "R-A8 and order facts: the same key or the same order twice gives one refund, one order",
        arguments: TestBackend.all
    )
    func idempotentEntryPoints(_ backend: TestBackend) async throws {
        try await withIntake(backend) { intake, peers in
            let order = Self.cardKeyOrder("o-idem")
            #expect(try await intake.recordOrder(RecordOrderRequest(order: order)).firstTime)
            #expect(try await !intake.recordOrder(RecordOrderRequest(order: order)).firstTime)
            var changed = order
            changed.priceFen = 1
            let conflict = await #expect(throws: RPCError.self) {
                _ = try await intake.recordOrder(RecordOrderRequest(order: changed))
            }
            #expect(conflict?.code == .alreadyExists)
            #expect(conflict?.message.contains("price_fen") == true)

            let first = try await intake.submitRefund(Self.submission("k-1", order: "o-idem"))
            let again = try await intake.submitRefund(Self.submission("k-1", order: "o-idem"))
            #expect(first.refundID == again.refundID)
            #expect(first.state == .received)
            #expect(first.attachments.count == 3)
            var different = Self.submission("k-1", order: "o-idem")
            different.reasonStatement = "Something else entirely, but still a specific statement of fact."
            let reused = await #expect(throws: RPCError.self) { _ = try await intake.submitRefund(different) }
            #expect(reused?.code == .alreadyExists)

            #expect(try await intake.listRefunds(ListRefundsRequest(userID: "u-1")).refunds.count == 1)
            #expect(try await meshEventually { peers.openedCases.count == 1 })
            #expect(peers.openedCases.first?.refundID == first.refundID)
            #expect(
                try await meshEventually {
                    peers.events.contains { $0.kind == .received && $0.refundID == first.refundID }
                }
            )
        }
    }

    @Test(
        "R-A8: concurrent submissions under one key make one refund, on either engine",
        arguments: TestBackend.all
    )
    func concurrentSubmissions(_ backend: TestBackend) async throws {
        try await withIntake(backend) { intake, peers in
            _ = try await intake.recordOrder(RecordOrderRequest(order: Self.cardKeyOrder("o-race")))
            // Eight at once under one key: one insert wins; the others are refused by the store's
            // constraint and answer with the winner's refund instead of failing.
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await intake.submitRefund(Self.submission("k-race", order: "o-race")).refundID }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1, "\(ids)")
            #expect(try await intake.listRefunds(ListRefundsRequest(userID: "u-1")).refunds.count == 1)
            #expect(try await meshEventually { peers.openedCases.contains { $0.refundID == ids.first } })
            #expect(peers.openedCases.filter { $0.refundID == ids.first }.count == 1)
        }
    }

    @Test("refund ids sort by submission time: the submission's millisecond leads the id", arguments: TestBackend.all)
    func refundIDsInTimeOrder(_ backend: TestBackend) async throws {
        try await withIntake(backend) { intake, _ in
            // In that order the stores' rows and indexes keyed by refund id (and the event ids made
            // from it) grow at one end instead of taking a random page each.
            var submitted: [String] = []
            for index in 0..<10 {
                let order = "o-seq-\(index)"
                _ = try await intake.recordOrder(RecordOrderRequest(order: Self.cardKeyOrder(order)))
                let before = Self.nowMs
                let id = try await intake.submitRefund(Self.submission("k-seq-\(index)", order: order)).refundID
                let after = Self.nowMs
                #expect(id.count == 31 && id.hasPrefix("rf-"), "\(id)")
                let millisecond = Int64(id.dropFirst(3).prefix(12), radix: 16) ?? -1
                #expect((before...after).contains(millisecond), "\(id): \(millisecond) not in \(before)...\(after)")
                submitted.append(id)
                try await Task.sleep(for: .milliseconds(2))
            }
            #expect(submitted == submitted.sorted(), "\(submitted)")
            #expect(Set(submitted).count == submitted.count)
        }
    }

    @Test(
        "R-A4 and R-A5: late requests and missing materials are refused with the rule in the message",
        arguments: TestBackend.all
    )
    func windowAndMaterials(_ backend: TestBackend) async throws {
        try await withIntake(backend) { intake, _ in
            _ = try await intake.recordOrder(RecordOrderRequest(order: Self.cardKeyOrder("o-late", paidDaysAgo: 16)))
            let late = await #expect(throws: RPCError.self) {
                _ = try await intake.submitRefund(Self.submission("k-late", order: "o-late"))
            }
            #expect(late?.code == .failedPrecondition)
            #expect(late?.message.contains("R-A4") == true)
            let precheck = try await intake.preCheck(
                PreCheckRequest(userID: "u-1", orderID: "o-late", ground: .notUsed, materials: [], locale: "en")
            )
            #expect(!precheck.eligible)
            #expect(precheck.rule == "R-A4")

            _ = try await intake.recordOrder(RecordOrderRequest(order: Self.cardKeyOrder("o-thin")))
            var thin = Self.submission("k-thin", order: "o-thin")
            thin.attachments = []
            let missing = await #expect(throws: RPCError.self) { _ = try await intake.submitRefund(thin) }
            #expect(missing?.code == .invalidArgument)
            #expect(missing?.message.contains("R-A5") == true)
        }
    }

    @Test("a user cannot see or act on another user's refund", arguments: TestBackend.all)
    func otherUsersRefund(_ backend: TestBackend) async throws {
        try await withIntake(backend) { intake, _ in
            _ = try await intake.recordOrder(RecordOrderRequest(order: Self.cardKeyOrder("o-mine", user: "alice")))
            let refund = try await intake.submitRefund(Self.submission("k", order: "o-mine", user: "alice"))
            let peek = await #expect(throws: RPCError.self) {
                _ = try await intake.getRefund(GetRefundRequest(userID: "mallory", refundID: refund.refundID))
            }
            // NOT_FOUND, in the same words as a refund that does not exist: nothing tells mallory
            // that alice's refund is there.
            #expect(peek?.code == .notFound)
            let unknown = await #expect(throws: RPCError.self) {
                _ = try await intake.getRefund(GetRefundRequest(userID: "mallory", refundID: "rf-none"))
            }
            #expect(
                peek?.message.replacingOccurrences(of: refund.refundID, with: "X")
                    == unknown?.message.replacingOccurrences(of: "rf-none", with: "X")
            )
            let steal = await #expect(throws: RPCError.self) {
                _ = try await intake.submitRefund(Self.submission("k2", order: "o-mine", user: "mallory"))
            }
            #expect(steal?.code == .notFound)
            #expect(try await intake.listRefunds(ListRefundsRequest(userID: "mallory")).refunds.isEmpty)
        }
    }

    @Test(
        "R-A7: after too many withdrawals the next request is flagged for review, and the user is told",
        arguments: TestBackend.all
    )
    func withdrawAndResubmit(_ backend: TestBackend) async throws {
        try await withIntake(backend) { intake, peers in
            _ = try await intake.recordOrder(RecordOrderRequest(order: Self.cardKeyOrder("o-flip")))
            for round in 0..<4 {
                let refund = try await intake.submitRefund(Self.submission("flip-\(round)", order: "o-flip"))
                #expect(!refund.flaggedForReview, "withdrawal \(round) is within the limit")
                let withdrawn = try await intake.withdrawRefund(
                    WithdrawRefundRequest(userID: "u-1", refundID: refund.refundID)
                )
                #expect(withdrawn.state == .withdrawn)
            }
            let flagged = try await intake.submitRefund(Self.submission("flip-4", order: "o-flip"))
            #expect(flagged.flaggedForReview)
            #expect(flagged.flagReason.contains("R-A7"))
            #expect(
                try await meshEventually {
                    peers.openedCases.contains { $0.refundID == flagged.refundID && $0.flaggedForReview }
                }
            )
            #expect(
                try await meshEventually {
                    peers.events.contains { $0.refundID == flagged.refundID && $0.kind == .flaggedForReview }
                }
            )
            #expect(try await meshEventually { peers.withdrawn.count == 4 })
        }
    }

    @Test(
        "R-T2: status updates build an ordered timeline, applied once, and WatchRefund follows it",
        arguments: TestBackend.all
    )
    func statusAndWatch(_ backend: TestBackend) async throws {
        try await withIntake(backend) { intake, _ in
            _ = try await intake.recordOrder(RecordOrderRequest(order: Self.cardKeyOrder("o-watch")))
            let refund = try await intake.submitRefund(Self.submission("k-watch", order: "o-watch"))
            let base = Self.nowMs
            let updates = [
                StatusUpdate(
                    eventID: "e1",
                    refundID: refund.refundID,
                    state: .approved,
                    rule: "R-R1",
                    reason: "not activated",
                    actor: "review",
                    amountFen: 10_000,
                    atMs: base + 1
                ),
                StatusUpdate(
                    eventID: "e3",
                    refundID: refund.refundID,
                    state: .moneyArrived,
                    rule: "R-C3",
                    actor: "payment-channel",
                    amountFen: 10_000,
                    feeFen: 60,
                    atMs: base + 3
                ),
                StatusUpdate(
                    eventID: "e2",
                    refundID: refund.refundID,
                    state: .moneySent,
                    rule: "R-C1",
                    actor: "payment-channel",
                    amountFen: 10_000,
                    feeFen: 60,
                    atMs: base + 2
                ),
            ]
            let states = try await intake.watchRefund(GetRefundRequest(userID: "u-1", refundID: refund.refundID)) {
                stream in
                var seen: [RefundState] = []
                var applied = false
                for try await view in stream {
                    seen.append(view.state)
                    if !applied {
                        applied = true
                        for update in updates {
                            #expect(try await intake.applyStatus(update).firstTime)
                        }
                        #expect(try await !intake.applyStatus(updates[0]).firstTime, "an event is applied once")
                    }
                    if view.state.isFinal { break }
                }
                return seen
            }
            #expect(states.first == .received)
            #expect(states.last == .moneyArrived)
            let final = try await intake.getRefund(GetRefundRequest(userID: "u-1", refundID: refund.refundID))
            #expect(
                final.timeline.map(\.state) == [.received, .approved, .moneySent, .moneyArrived],
                "ordered by time, not arrival"
            )
            #expect(final.feeFen == 60)
            #expect(final.timeline[1].rule == "R-R1")
        }
    }

    @Test(
        "ApplyStatusBatch applies each update as ApplyStatus would, in order and in one call; a refused one fails alone",
        arguments: TestBackend.all
    )
    func applyStatusBatch(_ backend: TestBackend) async throws {
        try await withIntake(backend) { intake, _ in
            _ = try await intake.recordOrder(RecordOrderRequest(order: Self.cardKeyOrder("o-batch")))
            let refund = try await intake.submitRefund(Self.submission("k-batch", order: "o-batch"))
            let base = Self.nowMs
            func update(
                _ id: String,
                _ state: RefundState,
                _ offset: Int64,
                refund refundID: String? = nil
            )
                -> StatusUpdate
            {
                StatusUpdate(
                    eventID: id,
                    refundID: refundID ?? refund.refundID,
                    state: state,
                    rule: "R-C1",
                    actor: "payment-channel",
                    amountFen: 10_000,
                    atMs: base + offset
                )
            }
            var reused = update("b-approved", .approved, 1)
            reused.amountFen = 9_000
            let items = [
                BatchedStatusUpdate(update: update("b-approved", .approved, 1), traceID: "trace-approved"),
                BatchedStatusUpdate(update: update("b-elsewhere", .approved, 1, refund: "no-such-refund")),
                BatchedStatusUpdate(update: reused),  // the same event id with another amount
                BatchedStatusUpdate(update: StatusUpdate(eventID: "", refundID: refund.refundID, state: .moneySent)),
                BatchedStatusUpdate(update: update("b-sent", .moneySent, 2)),
                BatchedStatusUpdate(update: update("b-arrived", .moneyArrived, 3)),
            ]
            let ack = try await intake.applyStatusBatch(StatusUpdateBatch(items: items))
            #expect(ack.items.map(\.code) == [0, 5, 6, 3, 0, 0].map { UInt32($0) }, "\(ack.items)")
            #expect(ack.items.map(\.firstTime) == [true, false, false, false, true, true])
            #expect(ack.items[1].message == "refund no-such-refund is not known to intake")
            #expect(ack.items[2].message.contains("amount_fen"), "\(ack.items[2].message)")
            #expect(ack.items[3].message.contains("event_id"), "\(ack.items[3].message)")
            let again = try await intake.applyStatusBatch(StatusUpdateBatch(items: [items[0], items[5]]))
            #expect(again.items.map(\.code) == [0, 0])
            #expect(again.items.map(\.firstTime) == [false, false], "an event is applied once, batched or not")
            #expect(try await !intake.applyStatus(update("b-sent", .moneySent, 2)).firstTime)
            let final = try await intake.getRefund(GetRefundRequest(userID: "u-1", refundID: refund.refundID))
            #expect(final.state == .moneyArrived)
            #expect(final.timeline.map(\.state) == [.received, .approved, .moneySent, .moneyArrived])
            #expect(final.decidedAmountFen == 10_000, "the refused reuse of b-approved changed nothing")

            let tooMany = await #expect(throws: RPCError.self) {
                _ = try await intake.applyStatusBatch(
                    StatusUpdateBatch(
                        items: (0...256).map { BatchedStatusUpdate(update: update("m-\($0)", .approved, 1)) }
                    )
                )
            }
            #expect(tooMany?.code == .invalidArgument)
        }
    }

    @Test(
        "R-C8: MONEY_REVERSED moves an arrived refund back; a stale update does not undo it, a later credit does",
        arguments: TestBackend.all
    )
    func reversalAfterArrival(_ backend: TestBackend) async throws {
        try await withIntake(backend) { intake, _ in
            _ = try await intake.recordOrder(RecordOrderRequest(order: Self.cardKeyOrder("o-rev")))
            let refund = try await intake.submitRefund(Self.submission("k-rev", order: "o-rev"))
            let base = Self.nowMs
            func update(_ id: String, _ state: RefundState, _ offset: Int64) -> StatusUpdate {
                StatusUpdate(
                    eventID: id,
                    refundID: refund.refundID,
                    state: state,
                    rule: "R-C8",
                    actor: "payment-channel",
                    amountFen: 10_000,
                    atMs: base + offset
                )
            }
            let request = GetRefundRequest(userID: "u-1", refundID: refund.refundID)
            for step in [update("a", .approved, 1), update("s", .moneySent, 2), update("d", .moneyArrived, 3)] {
                _ = try await intake.applyStatus(step)
            }
            _ = try await intake.applyStatus(update("r", .moneyReversed, 4))
            #expect(try await intake.getRefund(request).state == .moneyReversed)
            _ = try await intake.applyStatus(update("stale", .moneyArrived, 3))
            #expect(try await intake.getRefund(request).state == .moneyReversed, "older than the reversal")
            _ = try await intake.applyStatus(update("credit", .moneyArrived, 5))
            #expect(try await intake.getRefund(request).state == .moneyArrived)
        }
    }

    @Test(
        "R-A5, R-T2: a 2 MB proof's size is in every view, read without paging through the proof",
        arguments: TestBackend.all
    )
    func largeAttachment(_ backend: TestBackend) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("intake-large-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let size = 2_000_000
        var refundID = ""
        try await withIntake(backend, dataDirectory: folder) { intake, _ in
            _ = try await intake.recordOrder(RecordOrderRequest(order: Self.cardKeyOrder("o-large")))
            var submission = Self.submission("k-large", order: "o-large")
            submission.attachments[2].content = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let submitted = try await intake.submitRefund(submission)
            refundID = submitted.refundID
            let read = try await intake.getRefund(GetRefundRequest(userID: "u-1", refundID: refundID))
            for view in [submitted, read] {
                #expect(view.attachments.map(\.sizeBytes).sorted() == [4, 5, size].map(Int64.init))
                #expect(view.attachments.first { $0.kind == .nonUseProof }?.sizeBytes == Int64(size))
            }
        }
        guard backend == .sqlite else { return }
        // The view's query against intake's file: the pages it fetched, from SQLite's cache or
        // the file. Reading `size_bytes`, stored after the content, fetched its ~490 overflow
        // pages; the size from the row's header takes a handful of pages whatever the proof's size.
        let store = try Store(
            configuration: Store.Configuration(path: folder.appendingPathComponent("intake.sqlite").path),
            migrations: IntakeStore.migrations,
            logger: Logger(label: "intake-tests")
        )
        defer { try? store.close() }
        let id = refundID
        let (references, pages) = try await store.read { db in
            func fetched() -> Int32 {
                var hits: Int32 = 0
                var misses: Int32 = 0
                var highwater: Int32 = 0
                sqlite3_db_status(db.sqliteConnection, SQLITE_DBSTATUS_CACHE_HIT, &hits, &highwater, 0)
                sqlite3_db_status(db.sqliteConnection, SQLITE_DBSTATUS_CACHE_MISS, &misses, &highwater, 0)
                return hits + misses
            }
            let before = fetched()
            let references = try IntakeStore.attachments(db, of: id)
            return (references, fetched() - before)
        }
        #expect(references.map(\.sizeBytes).sorted() == [4, 5, size].map(Int64.init))
        #expect(pages < 40, "the view's attachments fetched \(pages) pages")
    }
}
