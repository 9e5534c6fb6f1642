import Foundation
import PaymentChannelService
import ProviderSandbox
import RefundMeshAPI
import RefundMeshProviders
import Testing

/// The three real adapters against provider-sandbox over HTTP: statuses mapped faithfully
/// (R-C8), the same number resubmitted pays once (R-C6), rate limits answered as such (R-C7),
/// lost answers thrown as unknown outcomes (R-C6), and the day's bill read back.
@Suite("Channel adapters against provider-sandbox (R-C6, R-C7, R-C8)")
struct ChannelAdapterTests {
    @Test("WeChat Pay: PROCESSING → SUCCESS, CLOSED, ABNORMAL; resubmission; 429; refusal; lost answer; bill")
    func wechat() async throws {
        try await SandboxProviders.with { providers in
            let adapter = try providers.wechat()
            // PROCESSING, then SUCCESS at the sandbox's settle time.
            let ok = refundRequest("RM-w-ok", method: .wechatPay, payment: "wx-1")
            #expect(try await adapter.submit(ok) == .accepted(.processing))
            let succeeded = try await eventually("SUCCESS") { () -> ChannelRefundStatus? in
                let status = try await adapter.query(ok)
                return status == .processing ? nil : status
            }
            #expect(succeeded.isSucceeded, "\(succeeded)")
            // R-C6: the same out_refund_no again is answered with the refund it has; money moves once.
            #expect(try await adapter.submit(ok) == .accepted(succeeded))
            let record = try #require(try await providers.record(.wechat, "RM-w-ok"))
            #expect(record.submissions == 2 && record.moneyMoved == 1 && record.amountFen == 3_000)

            try providers.rule("wechat", refundNo: "RM-w-closed", Behaviour(status: "CLOSED"))
            let closed = refundRequest("RM-w-closed", method: .wechatPay, payment: "wx-2")
            _ = try await adapter.submit(closed)
            #expect(try await eventually("CLOSED") { try await adapter.query(closed).isClosed ? true : nil })

            try providers.rule("wechat", refundNo: "RM-w-abnormal", Behaviour(status: "ABNORMAL"))
            let abnormal = refundRequest("RM-w-abnormal", method: .wechatPay, payment: "wx-3")
            _ = try await adapter.submit(abnormal)
            let abnormalStatus = try await eventually("ABNORMAL") { () -> ChannelRefundStatus? in
                let status = try await adapter.query(abnormal)
                return status.isAbnormal ? status : nil
            }
            #expect(!abnormalStatus.isFinal, "R-C8: ABNORMAL is not final")

            // R-C7: 429 FREQUENCY_LIMITED is a wait, not a failure; nothing recorded.
            try providers.rule("wechat", refundNo: "RM-w-429", Behaviour(fail: "FREQUENCY_LIMITED"))
            let limited = refundRequest("RM-w-429", method: .wechatPay, payment: "wx-4")
            guard case .rateLimited = try await adapter.submit(limited) else {
                Issue.record("429 FREQUENCY_LIMITED was not answered as rate limited")
                return
            }
            #expect(try await providers.record(.wechat, "RM-w-429") == nil)
            #expect(try await adapter.query(limited) == .notFound)

            // A business refusal keeps WeChat's code.
            try providers.rule("wechat", refundNo: "RM-w-403", Behaviour(fail: "NOT_ENOUGH"))
            let refused = try await adapter.submit(refundRequest("RM-w-403", method: .wechatPay, payment: "wx-5"))
            guard case .refused(_, let code) = refused else {
                Issue.record("NOT_ENOUGH was answered \(refused)")
                return
            }
            #expect(code == "NOT_ENOUGH")

            // R-C6: SYSTEM_ERROR and a lost answer throw; the same number later finds the one refund.
            try providers.rule("wechat", refundNo: "RM-w-500", Behaviour(fail: "SYSTEM_ERROR"))
            await #expect(throws: ProviderError.self) {
                _ = try await adapter.submit(refundRequest("RM-w-500", method: .wechatPay, payment: "wx-6"))
            }
            try providers.rule("wechat", refundNo: "RM-w-lost", Behaviour(timeoutAfterCommit: true))
            let lost = refundRequest("RM-w-lost", method: .wechatPay, payment: "wx-7")
            let impatient = try providers.wechat(timeoutMs: 1_000)
            await #expect {
                _ = try await impatient.submit(lost)
            } throws: { error in
                (error as? ProviderError)?.outcomeIsUnknown == true
            }
            #expect(try await adapter.query(lost) != .notFound, "the provider recorded it before the answer was lost")
            guard case .accepted = try await adapter.submit(lost) else {
                Issue.record("resubmitting a lost refund was not accepted")
                return
            }
            let lostRecord = try #require(try await providers.record(.wechat, "RM-w-lost"))
            #expect(lostRecord.submissions == 2 && lostRecord.moneyMoved <= 1)

            // The day's REFUND bill lists the refund that moved money, with its amount.
            let bill = try await adapter.bill(day: UnixTimeNow.chinaToday())
            let line = try #require(bill.first { $0.refundNo == "RM-w-ok" })
            #expect(line.amountFen == 3_000 && line.status.isSucceeded && !line.providerRefundID.isEmpty)
            #expect(!bill.contains { $0.refundNo == "RM-w-closed" }, "no money moved for a CLOSED refund")
        }
    }

    @Test("Alipay: fund_change=Y succeeded, N then REFUND_SUCCESS by query, unknown number, too fast, refusal, bill")
    func alipay() async throws {
        try await SandboxProviders.with { providers in
            let adapter = try providers.alipay()
            // alipay.trade.refund is synchronous: fund_change=Y means the money moved (R-C8).
            let ok = refundRequest("RM-a-ok", method: .alipay, payment: "ali-1")
            let first = try await adapter.submit(ok)
            guard case .accepted(let status?) = first, status.isSucceeded else {
                Issue.record("fund_change=Y was answered \(first)")
                return
            }
            // R-C6: a repeated out_request_no answers fund_change=N; the query confirms REFUND_SUCCESS.
            #expect(try await adapter.submit(ok) == .accepted(nil))
            #expect(try await adapter.query(ok).isSucceeded)
            let record = try #require(try await providers.record(.alipay, "RM-a-ok"))
            #expect(record.submissions == 2 && record.moneyMoved == 1)

            // fund_change=N on a first request: processing until the query says REFUND_SUCCESS.
            try providers.rule("alipay", refundNo: "RM-a-later", Behaviour(fundChange: "N"))
            let later = refundRequest("RM-a-later", method: .alipay, payment: "ali-2")
            #expect(try await adapter.submit(later) == .accepted(nil))
            #expect(try await eventually("REFUND_SUCCESS") { try await adapter.query(later).isSucceeded ? true : nil })

            // A number Alipay never got: not found, so payment-channel resubmits it (same number).
            #expect(try await adapter.query(refundRequest("RM-a-none", method: .alipay, payment: "ali-3")) == .notFound)

            // R-C7: 3 s between refunds of one trade → rate limited; a business refusal keeps its sub_code.
            try providers.rule("alipay", refundNo: "RM-a-fast", Behaviour(fail: "ACQ.REQUEST_TOO_FAST"))
            guard
                case .rateLimited = try await adapter.submit(
                    refundRequest("RM-a-fast", method: .alipay, payment: "ali-4")
                )
            else {
                Issue.record("ACQ.REQUEST_TOO_FAST was not answered as rate limited")
                return
            }
            try providers.rule("alipay", refundNo: "RM-a-no", Behaviour(fail: "ACQ.TRADE_NOT_ALLOW_REFUND"))
            let refused = try await adapter.submit(refundRequest("RM-a-no", method: .alipay, payment: "ali-5"))
            #expect(refused == .refused(reason: refusedReason(refused), providerCode: "ACQ.TRADE_NOT_ALLOW_REFUND"))
            try providers.rule("alipay", refundNo: "RM-a-500", Behaviour(fail: "ACQ.SYSTEM_ERROR"))
            await #expect(throws: ProviderError.self) {
                _ = try await adapter.submit(refundRequest("RM-a-500", method: .alipay, payment: "ali-6"))
            }

            let bill = try await adapter.bill(day: UnixTimeNow.chinaToday())
            let line = try #require(bill.first { $0.refundNo == "RM-a-ok" })
            #expect(line.amountFen == 3_000 && line.status.isSucceeded)
        }
    }

    @Test("Bank card: ACCEPTED → SETTLED, RETURNED before settling = closed, after = reversed; 429; settlement file")
    func bank() async throws {
        try await SandboxProviders.with { providers in
            let adapter = try providers.bank()
            let ok = refundRequest("RM-b-ok", method: .bankCard, payment: "card-1")
            #expect(try await adapter.submit(ok) == .accepted(.processing), "R-C3: accepted, settles in working days")
            #expect(try await eventually("SETTLED") { try await adapter.query(ok).isSucceeded ? true : nil })
            #expect(try await adapter.submit(ok) == .accepted(try await adapter.query(ok)), "R-C6: same refund_no")
            #expect(try #require(try await providers.record(.bank, "RM-b-ok")).moneyMoved == 1)

            try providers.rule("bank", refundNo: "RM-b-refused", Behaviour(status: "CLOSED"))
            let refusedByIssuer = refundRequest("RM-b-refused", method: .bankCard, payment: "card-2")
            _ = try await adapter.submit(refusedByIssuer)
            #expect(
                try await eventually("RETURNED unsettled") {
                    try await adapter.query(refusedByIssuer).isClosed ? true : nil
                }
            )

            try providers.rule("bank", refundNo: "RM-b-back", Behaviour(reverseAfterMs: 50))
            let returned = refundRequest("RM-b-back", method: .bankCard, payment: "card-3")
            _ = try await adapter.submit(returned)
            #expect(
                try await eventually("RETURNED after SETTLED") {
                    try await adapter.query(returned).isReversed ? true : nil
                }
            )

            try providers.rule("bank", refundNo: "RM-b-429", Behaviour(fail: "RATE_LIMITED"))
            guard
                case .rateLimited = try await adapter.submit(
                    refundRequest("RM-b-429", method: .bankCard, payment: "card-4")
                )
            else {
                Issue.record("RATE_LIMITED was not answered as rate limited")
                return
            }
            #expect(
                try await adapter.query(refundRequest("RM-b-none", method: .bankCard, payment: "card-5")) == .notFound
            )

            let bill = try await adapter.bill(day: UnixTimeNow.chinaToday())
            #expect(try #require(bill.first { $0.refundNo == "RM-b-ok" }).status.isSucceeded)
            #expect(try #require(bill.first { $0.refundNo == "RM-b-back" }).status.isReversed)
            #expect(!bill.contains { $0.refundNo == "RM-b-refused" })
        }
    }
}

private func refusedReason(_ submission: ChannelSubmission) -> String {
    if case .refused(let reason, _) = submission { return reason }
    return ""
}
