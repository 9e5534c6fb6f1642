import RefundMeshAPI
import RefundMeshRPC
import RefundMeshStoreTestSupport
import RefundMeshTestSupport
import ReviewService
import Synchronization
import Testing

/// OpenCase carries intake's reading of the order's payments (R-R3, R-R7): review decides from it
/// while it is recent instead of asking payment-channel a second time, and asks when it is not.
@Suite("review handler: payments carried in OpenCase")
struct CarriedPaymentsTests {
    /// What review itself would read, and how often it was asked.
    final class CountingPayments: PaymentRecords {
        let payments: [CapturedPayment]
        let asked = Mutex(0)

        init(_ payments: [CapturedPayment]) { self.payments = payments }

        func capturedPayments(orderID: String) async throws -> [CapturedPayment] {
            asked.withLock { $0 += 1 }
            return payments
        }

        var count: Int { asked.withLock { $0 } }
    }

    static let twoCaptures = ReviewFixture.duplicateCaptures

    static func duplicateCharge(readAtMs: Int64, payments: [CapturedPayment] = twoCaptures) -> OpenCaseRequest {
        var request = ReviewFixture.openCase(
            "r-1",
            order: ReviewFixture.order("o-1", kind: .cardKey),
            ground: .duplicateCharge
        )
        request.capturedPayments = payments
        request.paymentsReadAtMs = readAtMs
        return request
    }

    @Test(
        "R-R3: a recent reading decides without asking payment-channel; a redelivery asks nobody",
        arguments: TestBackend.all
    )
    func recentReadingIsUsed(_ backend: TestBackend) async throws {
        // Review's own lookup would find only one capture: deciding from it would reject.
        let own = CountingPayments(Array(Self.twoCaptures.prefix(1)))
        try await ReviewFixture.with(backend, payments: own) { review in
            let request = Self.duplicateCharge(readAtMs: ReviewFixture.nowMs - 200)
            #expect(try await review.open(request).firstTime)
            #expect(own.count == 0, "intake's reading of 200 ms ago is used")
            let decided = try await review.getCase("r-1")
            #expect(decided.outcome == .approved && decided.rule == "R-R3" && decided.amountFen == 3000)
            let execute = try ExecuteRefundRequest(
                serializedBytes: try #require(try await review.outbox()["payment-channel/r-1:execute-refund"]).payload
            )
            #expect(execute.paymentID == "p-2", "the duplicate from intake's reading is refunded")

            // R-R9: the evidence says whose reading it was and when it was taken.
            let entries = try await review.database.read { db in try EvidenceStore.entries(db, refundID: "r-1") }
            let payments = try #require(
                entries.map { String(decoding: $0.entry, as: UTF8.self) }.first { $0.contains("\"kind\":\"payments\"") }
            )
            #expect(payments.contains("\"read_by\":\"intake\""))
            #expect(payments.contains("\"read_at_ms\":\(ReviewFixture.nowMs - 200)"))
            #expect(payments.contains("\"payment_id\":\"p-2\""))

            #expect(try await review.open(request).firstTime == false, "idempotent on refund_id")
            #expect(own.count == 0, "a redelivery asks nobody")
            #expect(try await review.getCase("r-1").outcome == .approved)
        }
    }

    @Test(
        "R-R3: an old reading, one from the future, or none: review asks payment-channel itself",
        arguments: [
            (ReviewFixture.nowMs - 10_001, "older than REVIEW_PAYMENTS_REUSE_MS"),
            (ReviewFixture.nowMs + 5_000, "from a clock ahead of review's"),
            (Int64(0), "intake could not read them"),
        ]
    )
    func otherReadingsAreNotUsed(readAtMs: Int64, why: String) async throws {
        let own = CountingPayments(Self.twoCaptures)
        // What intake carried says nothing was captured twice: deciding from it would reject.
        let review = try ReviewFixture(payments: own)
        #expect(try await review.open(Self.duplicateCharge(readAtMs: readAtMs, payments: [])).firstTime)
        #expect(own.count == 1, "asked once: \(why)")
        let decided = try await review.getCase("r-1")
        #expect(decided.outcome == .approved && decided.amountFen == 3000, "decided from review's own reading")
        let entries = try await review.database.read { db in try EvidenceStore.entries(db, refundID: "r-1") }
        let payments = try #require(
            entries.map { String(decoding: $0.entry, as: UTF8.self) }.first { $0.contains("\"kind\":\"payments\"") }
        )
        #expect(payments.contains("\"read_by\":\"review\""))
    }

    @Test("REVIEW_PAYMENTS_REUSE_MS: 0 turns the reuse off; a negative or malformed value names the variable")
    func reuseSetting() throws {
        #expect(ReviewConfiguration().paymentsReuseMs == 10_000)
        #expect(try ReviewConfiguration(environment: ["REVIEW_PAYMENTS_REUSE_MS": "0"]).paymentsReuseMs == 0)
        #expect(try ReviewConfiguration(environment: ["REVIEW_PAYMENTS_REUSE_MS": "2500"]).paymentsReuseMs == 2500)
        for bad in ["-1", "ten", "1.5"] {
            #expect {
                try ReviewConfiguration(environment: ["REVIEW_PAYMENTS_REUSE_MS": bad])
            } throws: { error in
                "\(error)".contains("REVIEW_PAYMENTS_REUSE_MS")
            }
        }
    }

    @Test("with the reuse off, a recent reading is not used")
    func reuseOff() async throws {
        let own = CountingPayments(Self.twoCaptures)
        let review = try ReviewFixture(payments: own, configuration: ReviewConfiguration(paymentsReuseMs: 0))
        _ = try await review.open(Self.duplicateCharge(readAtMs: ReviewFixture.nowMs, payments: []))
        #expect(own.count == 1)
        #expect(try await review.getCase("r-1").outcome == .approved)
    }
}
