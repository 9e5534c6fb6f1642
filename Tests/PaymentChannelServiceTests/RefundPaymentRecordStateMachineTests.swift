import PaymentChannelService
import RefundMeshAPI
import Testing

@Suite("RefundPaymentRecord state machine (R-C8, R-C9)")
struct RefundPaymentRecordStateMachineTests {
    static func record(
        _ state: RefundPayment.State,
        failure: String? = nil,
        resolution: String? = nil
    )
        -> RefundPaymentRecord
    {
        RefundPaymentRecord(
            refundID: "r",
            paymentID: "p",
            orderID: "o",
            userID: "u",
            method: .wechatPay,
            destination: .original,
            amountFen: 100,
            feeFen: 1,
            netFen: 99,
            platformFault: false,
            state: state,
            providerRefundNo: "RM-r",
            createdAtMs: 0,
            sentAtMs: nil,
            arrivedAtMs: nil,
            expectedArrivalMs: 0,
            failureReason: failure,
            attempts: 0,
            resolution: resolution
        )
    }

    @Test("in flight: every provider status moves PENDING/SENT forward, SENT records before anything after it")
    func inFlight() {
        let pending = Self.record(.pending)
        #expect(pending.steps(for: .processing) == [.send])
        #expect(pending.steps(for: .succeeded(atMs: 5)) == [.send, .arrive(atMs: 5)])
        #expect(pending.steps(for: .closed(reason: "x")) == [.fail(reason: "x")])
        #expect(pending.steps(for: .abnormal(reason: "x")) == [.send, .abnormal(reason: "x")])
        #expect(pending.steps(for: .notFound) == [])
        let sent = Self.record(.sent)
        #expect(sent.steps(for: .processing) == [])
        #expect(sent.steps(for: .succeeded(atMs: 5)) == [.arrive(atMs: 5)])
        #expect(sent.steps(for: .reversed(reason: "x")) == [.arrive(atMs: 0), .reverse(reason: "x")])
    }

    @Test("final states: duplicates and stale statuses change nothing; reversal and late success move them")
    func finalStates() {
        let arrived = Self.record(.arrived)
        #expect(arrived.steps(for: .succeeded(atMs: 5)) == [])
        #expect(arrived.steps(for: .processing) == [])
        #expect(arrived.steps(for: .reversed(reason: "x")) == [.reverse(reason: "x")])
        #expect(arrived.steps(for: .abnormal(reason: "x")) == [.reverse(reason: "ABNORMAL after SUCCESS: x")])
        guard case .alert(let kind, _) = arrived.steps(for: .closed(reason: "x")).first else {
            Issue.record("CLOSED after SUCCESS must alert")
            return
        }
        #expect(kind == "conflicting-status")
        let wasAbnormal = Self.record(.arrived, failure: "abnormal: card closed")
        #expect(wasAbnormal.steps(for: .abnormal(reason: "x")).count == 1)
        #expect(wasAbnormal.steps(for: .abnormal(reason: "x")) != [.reverse(reason: "ABNORMAL after SUCCESS: x")])
        let failed = Self.record(.failed)
        #expect(failed.steps(for: .succeeded(atMs: 5)) == [.lateSuccess(atMs: 5)])
        #expect(failed.steps(for: .closed(reason: "x")) == [])
        let reversed = Self.record(.reversed, failure: "reversed: x")
        for status in [
            ChannelRefundStatus.succeeded(atMs: 1), .processing, .reversed(reason: "x"), .closed(reason: "x"),
        ] {
            #expect(reversed.steps(for: status) == [], "\(status)")
        }
    }

    @Test("credited to the balance by an operator: a later SUCCESS means paid twice, unless it was reversed first")
    func resolvedToBalance() {
        let fromAbnormal = Self.record(.arrived, failure: "abnormal: x", resolution: "to-balance")
        #expect(fromAbnormal.steps(for: .succeeded(atMs: 1)) == [.paidTwice])
        let fromReversal = Self.record(.arrived, failure: "reversed: x", resolution: "to-balance")
        #expect(fromReversal.steps(for: .succeeded(atMs: 1)) == [])
        #expect(fromReversal.steps(for: .reversed(reason: "x")) == [])
    }
}
