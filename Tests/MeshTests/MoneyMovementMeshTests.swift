import AsyncHTTPClient
import Foundation
import Logging
import ProviderSandbox
import RefundMeshAPI
import RefundMeshProviders
import RefundMeshRPC
import Testing

/// The money-movement issue over the whole mesh: the four services and the real
/// `provider-sandbox`, payment-channel's real WeChat Pay, Alipay and bank-card adapters over HTTP,
/// the sandbox misbehaving on purpose (rules), and after each behaviour the shared invariant
/// check (``MoneyMesh/checkInvariants(sourceLocation:)``: none paid twice, none lost, captured
/// never exceeded, the ledger balanced, notifications shown once).
///
/// Serialized: each test runs five processes, and the machine has two cores.
@Suite("money movement over the mesh and the provider sandbox", .serialized)
struct MoneyMovementMeshTests {
    static func rule(
        _ provider: String,
        trade: String? = nil,
        times: Int = 1,
        _ behaviour: Behaviour
    ) -> BehaviourRule {
        BehaviourRule(provider: provider, match: .init(outTradeNo: trade), times: times, behaviour: behaviour)
    }

    @Test("WeChat Pay: a refund goes out over signed HTTP, is notified back and arrives once (R-C1, R-C9)")
    func wechat() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("wx-1", method: .wechatPay, price: 1_000)
        let view = try await world.submit("wx-1")
        let paid = try await world.payment(view.refundID, "ARRIVED") { $0.state == .arrived }
        #expect(paid.method == .wechatPay)
        #expect(paid.feeFen == 6 && paid.netAmountFen == 994, "R-C2 fee 0.6 %: \(paid)")
        let found = try await world.checkInvariants()
        let provider = try #require(found.providerRefunds[paid.providerRefundNo])
        // The provider pays back the net amount; the fee stays with the shop (R-C2).
        #expect(provider.provider == .wechat, "\(provider)")
        #expect(provider.amountFen == paid.netAmountFen && provider.tradeNo == "pay-wx-1", "\(provider)")
        #expect(provider.state == .success && provider.moneyMoved == 1)
        try await world.stop()
    }

    @Test("Alipay: fund_change=Y means the money moved; fund_change=N waits for the query or notice (R-C8)")
    func alipay() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("ali-1", method: .alipay, price: 2_000)
        try await world.sell("ali-2", method: .alipay, price: 3_000)
        try await world.control.addRule(
            Self.rule("alipay", trade: "ali-2", Behaviour(settleAfterMs: 1_500, fundChange: "N"))
        )
        let direct = try await world.submit("ali-1")
        let deferred = try await world.submit("ali-2")
        let paid = try await world.payment(direct.refundID, "ARRIVED") { $0.state == .arrived }
        #expect(paid.method == .alipay)
        // fund_change=N: accepted, but not paid until Alipay says so.
        let sent = try await world.payment(deferred.refundID, "SENT") { $0.state == .sent || $0.state == .arrived }
        let providerNow = try await world.control.refunds(provider: "alipay").first {
            $0.refundNo == sent.providerRefundNo
        }
        if sent.state == .sent { #expect(providerNow?.moneyMoved == 0, "SENT while Alipay has not moved the money") }
        let arrived = try await world.payment(deferred.refundID, "ARRIVED") { $0.state == .arrived }
        #expect(arrived.arrivedAtMs >= arrived.sentAtMs)
        let found = try await world.checkInvariants()
        #expect(found.providerRefunds[arrived.providerRefundNo]?.moneyMoved == 1)
        try await world.stop()
    }

    @Test("bank card: accepted now, settled asynchronously working days later (sandbox time), then notified (R-C3)")
    func bankCard() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("bank-1", method: .bankCard, price: 5_000)
        let view = try await world.submit("bank-1")
        let sent = try await world.payment(view.refundID, "SENT") { $0.state == .sent || $0.state == .arrived }
        // R-C3: 3-5 working days are expected for a card.
        #expect(sent.expectedArrivalMs - sent.sentAtMs >= 2 * 86_400_000, "\(sent)")
        let arrived = try await world.payment(view.refundID, "ARRIVED") { $0.state == .arrived }
        let found = try await world.checkInvariants()
        let provider = try #require(found.providerRefunds[arrived.providerRefundNo])
        #expect(provider.provider == .bank && provider.moneyMoved == 1)
        #expect((provider.settledAtMs ?? 0) - provider.createdAtMs >= 3 * 150, "settled after 3+ sandbox days")
        try await world.stop()
    }

    @Test("latency: a slow provider answer (within the client's timeout) still pays once")
    func latency() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("slow-1", method: .wechatPay)
        try await world.control.addRule(Self.rule("wechat", trade: "pay-slow-1", Behaviour(latencyMs: 1_200)))
        let view = try await world.submit("slow-1")
        let paid = try await world.payment(view.refundID, "ARRIVED") { $0.state == .arrived }
        let found = try await world.checkInvariants()
        #expect(found.providerRefunds[paid.providerRefundNo]?.submissions == 1, "answered in time: no retry")
        try await world.stop()
    }

    @Test("timeout after the refund was made: retried under the same number, paid once (R-C6)")
    func timeoutAfterCommit() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("lost-1", method: .wechatPay)
        try await world.control.addRule(Self.rule("wechat", trade: "pay-lost-1", Behaviour(timeoutAfterCommit: true)))
        let view = try await world.submit("lost-1")
        let paid = try await world.payment(view.refundID, "ARRIVED") { $0.state == .arrived }
        let found = try await world.checkInvariants()
        let provider = try #require(found.providerRefunds[paid.providerRefundNo])
        #expect(provider.moneyMoved == 1)
        #expect(found.providerRefunds.values.filter { $0.tradeNo == "pay-lost-1" }.count == 1, "one number only")
        #expect(provider.refundNo == paid.providerRefundNo)
        let stats = try await world.control.stats()
        #expect(stats.counters["timeouts_after_commit"] ?? 0 >= 1, "the answer really was lost: \(stats)")
        try await world.stop()
    }

    @Test("provider failures: SYSTEM_ERROR is retried until paid; a refusal fails the refund and tells the user")
    func providerFailures() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("err-1", method: .bankCard)
        try await world.sell("err-2", method: .wechatPay)
        try await world.control.addRule(
            Self.rule("bank", trade: "pay-err-1", times: 2, Behaviour(fail: "SYSTEM_ERROR"))
        )
        try await world.control.addRule(Self.rule("wechat", trade: "pay-err-2", Behaviour(fail: "NOT_ENOUGH")))
        let retried = try await world.submit("err-1")
        let refused = try await world.submit("err-2")
        let paid = try await world.payment(retried.refundID, "ARRIVED") { $0.state == .arrived }
        let failed = try await world.payment(refused.refundID, "FAILED") { $0.state == .failed }
        #expect(failed.failureReason.contains("NOT_ENOUGH"), "\(failed.failureReason)")
        let found = try await world.checkInvariants()
        #expect(found.providerRefunds[paid.providerRefundNo]?.moneyMoved == 1)
        #expect(found.providerRefunds[failed.providerRefundNo] == nil, "a refused request is not recorded")
        let ledger = try await world.payments.getRefundLedger(GetRefundLedgerRequest(refundID: refused.refundID))
        let net = ledger.entries.flatMap(\.postings).filter { $0.account == "refund_expense" }.map(\.amountFen).reduce(
            0,
            +
        )
        #expect(net == 0, "a failed refund nets to zero: \(ledger)")
        try await world.stop()
    }

    @Test("ABNORMAL: not final; an alert; the operator credits the balance with ResolveRefund (R-C8, R-C1)")
    func abnormalResolved() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("abn-1", method: .wechatPay, price: 1_500)
        try await world.control.addRule(Self.rule("wechat", trade: "pay-abn-1", Behaviour(status: "ABNORMAL")))
        let view = try await world.submit("abn-1")
        let stuck = try await world.payment(view.refundID, "ABNORMAL") { $0.state == .abnormal }
        let alerts = try await world.payments.listAlerts(ListAlertsRequest(refundID: view.refundID))
        #expect(alerts.alerts.contains { $0.kind.contains("abnormal") }, "\(alerts)")
        _ = try await world.view(view, "still MONEY_SENT, waiting for a person") { $0.state == .moneySent }
        try await world.checkInvariants()
        let resolved = try await world.payments.resolveRefund(
            ResolveRefundRequest(refundID: view.refundID, action: .toBalance, operatorID: "op-7", note: "card closed")
        )
        #expect(resolved.state == .arrived && !resolved.resolution.isEmpty, "\(resolved)")
        // Twice is harmless.
        let again = try await world.payments.resolveRefund(
            ResolveRefundRequest(refundID: view.refundID, action: .toBalance, operatorID: "op-7", note: "card closed")
        )
        #expect(again.state == .arrived)
        let balance = try await world.payments.getBalance(GetBalanceRequest(userID: "u-abn-1"))
        #expect(balance.availableFen == stuck.amountFen, "the whole amount, no fee (R-C2): \(balance)")
        _ = try await world.view(view, "MONEY_ARRIVED") { $0.state == .moneyArrived }
        let found = try await world.checkInvariants()
        #expect(found.providerRefunds[stuck.providerRefundNo]?.moneyMoved == 0, "WeChat never paid it")
        try await world.stop()
    }

    @Test("delayed settlement: SENT refunds are queried at growing intervals until final (R-C6)")
    func delayedSettlement() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("late-1", method: .wechatPay)
        try await world.control.addRule(Self.rule("wechat", trade: "pay-late-1", Behaviour(settleAfterMs: 5_000)))
        let view = try await world.submit("late-1")
        var queryTimes: [Int64] = []
        let deadline = ContinuousClock.now + .seconds(60)
        var last = try await world.payment(view.refundID, "SENT") { $0.state != .pending }
        while last.state == .sent && ContinuousClock.now < deadline {
            if last.nextQueryAtMs > 0 && queryTimes.last != last.nextQueryAtMs { queryTimes.append(last.nextQueryAtMs) }
            try await Task.sleep(for: .milliseconds(50))
            last = try await world.payments.getRefundPayment(GetRefundPaymentRequest(refundID: view.refundID))
        }
        #expect(last.state == .arrived)
        // Queried more than once while the provider was still PROCESSING, each wait longer.
        #expect(queryTimes.count >= 3, "query schedule \(queryTimes)")
        let gaps = zip(queryTimes.dropFirst(), queryTimes).map { $0 - $1 }
        #expect(gaps.count >= 2 && gaps.last! >= gaps.first!, "backoff grows: \(gaps)")
        try await world.checkInvariants()
        try await world.stop()
    }

    @Test("duplicate and out-of-order notifications change nothing twice and never move a refund back (R-C9)")
    func duplicateAndStaleNotifications() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("dup-1", method: .wechatPay)
        try await world.sell("dup-2", method: .bankCard)
        for trade in ["pay-dup-1", "pay-dup-2"] {
            let provider = trade == "pay-dup-1" ? "wechat" : "bank"
            try await world.control.addRule(
                Self.rule(provider, trade: trade, Behaviour(duplicateNotifications: 3, outOfOrder: true))
            )
        }
        let views = [try await world.submit("dup-1"), try await world.submit("dup-2")]
        for view in views {
            let paid = try await world.payment(view.refundID, "ARRIVED") { $0.state == .arrived }
            // Every copy and the stale notice delivered (answered 2xx) before looking again.
            let provider = try await world.providerRefund(paid.providerRefundNo, "notified 5 times") {
                $0.notificationsSent >= 5
            }
            #expect(provider.moneyMoved == 1)
            let after = try await world.payments.getRefundPayment(GetRefundPaymentRequest(refundID: view.refundID))
            #expect(after.state == .arrived, "the stale PROCESSING notice did not move it back")
            let ledger = try await world.payments.getRefundLedger(GetRefundLedgerRequest(refundID: view.refundID))
            #expect(ledger.entries.filter { $0.movement == "arrived" }.count == 1, "\(ledger.entries.map(\.movement))")
            _ = try await world.inbox(view.userID, kind: .moneyArrived, atLeast: 1)
        }
        try await world.checkInvariants()
        try await world.stop()
    }

    @Test("a notification that arrives before the synchronous answer records the refund once (R-C9)")
    func notificationBeforeAnswer() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("early-1", method: .wechatPay)
        try await world.control.addRule(Self.rule("wechat", trade: "pay-early-1", Behaviour(notifyBeforeAnswer: true)))
        let view = try await world.submit("early-1")
        let paid = try await world.payment(view.refundID, "ARRIVED") { $0.state == .arrived }
        let ledger = try await world.payments.getRefundLedger(GetRefundLedgerRequest(refundID: view.refundID))
        let movements = ledger.entries.map(\.movement)
        #expect(
            movements.filter { $0 == "sent" }.count == 1 && movements.filter { $0 == "arrived" }.count == 1,
            "\(movements)"
        )
        let found = try await world.checkInvariants()
        let provider = try #require(found.providerRefunds[paid.providerRefundNo])
        #expect(provider.notificationsSent >= 1 && provider.submissions == 1)
        try await world.stop()
    }

    @Test("a reversal after success reopens the refund, raises an alert and tells the user (R-C8)")
    func reversalAfterSuccess() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("rev-1", method: .wechatPay)
        try await world.sell("rev-2", method: .bankCard)
        try await world.control.addRule(Self.rule("wechat", trade: "pay-rev-1", Behaviour(reverseAfterMs: 800)))
        try await world.control.addRule(Self.rule("bank", trade: "pay-rev-2", Behaviour(reverseAfterMs: 800)))
        for order in ["rev-1", "rev-2"] {
            let view = try await world.submit(order)
            let reversed = try await world.payment(view.refundID, "REVERSED") { $0.state == .reversed }
            #expect(reversed.arrivedAtMs > 0, "it had arrived before")
            let alerts = try await world.payments.listAlerts(ListAlertsRequest(refundID: view.refundID))
            #expect(alerts.alerts.contains { $0.kind.contains("revers") }, "\(alerts)")
            _ = try await world.view(view, "MONEY_REVERSED") { $0.state == .moneyReversed }
            let told = try await world.inbox(view.userID, kind: .slaEscalated, atLeast: 1)
            #expect(!told.isEmpty)
        }
        try await world.checkInvariants()
        try await world.stop()
    }

    @Test("reconciliation: refundctl reconcile lists a refund the provider paid that we never asked for (R-C6)")
    func reconciliationMismatch() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("rec-1", method: .wechatPay)
        try await world.sell("rec-2", method: .wechatPay)
        let view = try await world.submit("rec-1")
        _ = try await world.payment(view.refundID, "ARRIVED") { $0.state == .arrived }
        // The mismatch, on purpose: a refund made at WeChat behind payment-channel's back.
        let client = WeChatPayClient(
            configuration: try WeChatPayConfiguration(environment: world.mesh.environment),
            httpClient: .shared,
            logger: Logger(label: "test")
        )
        _ = try await client.createRefund(
            WeChatPayRefundRequest(
                transactionID: "pay-rec-2",
                outRefundNo: "GHOST-rec-2",
                reason: "made by hand",
                amount: .init(refund: 300, total: 1_000)
            )
        )
        _ = try await world.providerRefund("GHOST-rec-2", "paid") { $0.moneyMoved == 1 }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        let today = formatter.string(from: Date())
        let at = Mesh.names.flatMap { ["--\($0)", "127.0.0.1:\(world.mesh.ports[$0]!)"] }
        let report = try await RefundCtl.run(["reconcile", "--channel", "wechat", "--date", today] + at)
        #expect(report.status == 2, "exit 2 on mismatches: \(report.output)")
        #expect(report.output.contains("GHOST-rec-2"), "\(report.output)")
        #expect(report.output.contains("MISSING_HERE") || report.output.contains("missingHere"), "\(report.output)")
        #expect(!report.output.contains("(refund \(view.refundID))"), "our own refund matches: \(report.output)")
        try await world.checkInvariants()
        try await world.stop()
    }

    @Test(
        "R-R2 over HTTP: review asks the sandbox's game operator; not credited → approved and paid, credited → rejected"
    )
    func operatorOverHTTP() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("gm-1", method: .alipay, price: 800, kind: .directRecharge)
        try await world.sell("gm-2", method: .alipay, price: 800, kind: .directRecharge)
        try await world.control.setRecharge(orderID: "gm-1", status: "FAILED")
        try await world.control.setRecharge(orderID: "gm-2", status: "CREDITED", creditedAtMs: MoneyMesh.nowMs - 60_000)
        let approved = try await world.submit("gm-1")
        let rejected = try await world.submit("gm-2")
        let paid = try await world.view(approved, "MONEY_ARRIVED") { $0.state == .moneyArrived }
        #expect(paid.timeline.contains { $0.state == .approved && $0.rule == "R-R2" }, "\(paid.timeline)")
        let refused = try await world.view(rejected, "REJECTED") { $0.state == .rejected }
        #expect(refused.timeline.contains { $0.state == .rejected && $0.rule == "R-R2" }, "\(refused.timeline)")
        // Only the approved one is paid; the rejected one never reaches payment-channel.
        await #expect(throws: RPCError.self) {
            _ = try await world.payments.getRefundPayment(GetRefundPaymentRequest(refundID: rejected.refundID))
        }
        await world.ledger.forget(rejected.refundID)
        try await world.checkInvariants()
        try await world.stop()
    }

    @Test("SMS through the sandbox: every notice of a refund delivered once (R-N2, R-N3)")
    func smsOnce() async throws {
        let world = try await MoneyMesh.start()
        try await world.sell("sms-1", method: .wechatPay)
        _ = try await world.notification.setPreferences(
            ChannelPreferences(userID: "u-sms-1", smsEnabled: true, phone: "13800138000")
        )
        // The SMS gateway fails the first attempt: the retry must not send it twice.
        try await world.control.addRule(
            BehaviourRule(provider: "sms", match: .init(), times: 1, behaviour: Behaviour(fail: "SYSTEM_ERROR"))
        )
        let view = try await world.submit("sms-1")
        _ = try await world.payment(view.refundID, "ARRIVED") { $0.state == .arrived }
        let inbox = try await world.inbox(view.userID, kind: .moneyArrived, atLeast: 1)
        #expect(inbox.count == 1)
        // notification's SMS deliveries of this user, all delivered (the MONEY_ARRIVED one last).
        let deliveries = try await world.until("the user's SMS deliveries to be delivered") {
            let sms = try await world.notification.listDeliveries(
                ListDeliveriesRequest(userID: view.userID, limit: 100)
            )
            .deliveries.filter { $0.channel == .sms }
            let arrived = inbox.map(\.eventID)
            let done =
                !sms.isEmpty && sms.allSatisfy { $0.state == .delivered }
                && sms.contains { arrived.contains($0.eventID) }
            return done ? sms : nil
        }
        #expect(deliveries.contains { $0.attempts >= 2 }, "the failed first attempt was retried: \(deliveries)")
        let messages = try await world.control.messages().filter { $0.phone.hasSuffix("13800138000") }
        #expect(
            Set(messages.map(\.messageID)).count == messages.count,
            "each message once: \(messages.map(\.messageID))"
        )
        #expect(
            Set(messages.map(\.messageID)) == Set(deliveries.map(\.eventID)),
            "one SMS per notice: \(messages.map(\.messageID)) for \(deliveries.map(\.eventID))"
        )
        try await world.checkInvariants()
        try await world.stop()
    }
}
