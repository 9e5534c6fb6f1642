import Foundation
import ProviderSandbox
import RefundMeshAPI
import RefundMeshRPC
import Synchronization

/// What a soak ended with: counts per end state and channel, the invariants checked against
/// payment-channel, intake, notification and the sandbox's own records, throughput, and the end
/// state of every refund (JSON lines).
struct SoakReport {
    var refunds = 0
    var submitErrors = 0
    var settled = 0
    var perState: [String: Int] = [:]
    var perChannel: [String: [String: Int]] = [:]
    var paidTwice = 0
    var lost = 0
    var overCaptured = 0
    var disagreements: [String] = []
    var trialBalanceFen: Int64 = 0
    var trialBalanced = false
    var duplicateInboxEvents = 0
    var sandboxStats: SandboxStats?
    var submittedSeconds = 0.0
    var elapsedSeconds = 0.0
    var endStatesPath = ""

    /// Final, or explicitly waiting for a person, in payment-channel and in intake alike.
    static func isSettled(payment: RefundPayment, intake: RefundMeshAPI.RefundState) -> Bool {
        guard let expected = expectedIntakeState(payment.state) else { return false }
        return intake == expected
    }

    /// What intake shows for a payment-channel end state (R-C8: ABNORMAL is still MONEY_SENT).
    static func expectedIntakeState(_ state: RefundPayment.State) -> RefundMeshAPI.RefundState? {
        switch state {
        case .arrived: .moneyArrived
        case .failed: .failed
        case .reversed: .moneyReversed
        case .abnormal: .moneySent
        default: nil
        }
    }

    static func name(_ method: PaymentMethod) -> String {
        switch method {
        case .wechatPay: "wechat"
        case .alipay: "alipay"
        case .bankCard: "bank"
        case .balance: "balance"
        default: "\(method)"
        }
    }

    static func endState(_ refund: Soak.Refund) -> String {
        guard let payment = refund.payment, isSettled(payment: payment, intake: refund.intakeState) else {
            return refund.submitError.isEmpty ? "NOT_SETTLED" : "NOT_SUBMITTED"
        }
        switch payment.state {
        case .arrived: return payment.resolution.isEmpty ? "ARRIVED" : "ARRIVED_BY_OPERATOR"
        case .failed: return "FAILED"
        case .abnormal: return "ABNORMAL_WAITING_FOR_OPERATOR"
        case .reversed: return "REVERSED_WAITING_FOR_OPERATOR"
        default: return "\(payment.state)"
        }
    }

    static func make(
        refunds: [Soak.Refund],
        submitted: Duration,
        elapsed: Duration,
        soak: Soak
    ) async throws
        -> SoakReport
    {
        var report = SoakReport()
        report.refunds = refunds.count
        report.submittedSeconds = Double(Soak.seconds(submitted)) ?? 0
        report.elapsedSeconds = Double(Soak.seconds(elapsed)) ?? 0
        report.endStatesPath = soak.endStatesPath
        let stats = try await soak.sandbox.stats()
        report.sandboxStats = stats
        let providerRefunds = Dictionary(
            try await soak.sandbox.refunds().map { ($0.refundNo, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        // Paid twice: the sandbox's own count, and payment-channel's paid-twice alerts.
        report.paidTwice = providerRefunds.values.filter { $0.moneyMoved > 1 }.count
        let alerts = try await soak.payments.listAlerts(ListAlertsRequest(limit: 100_000))
        report.paidTwice += alerts.alerts.filter { $0.kind == "paid-twice" }.count
        report.overCaptured = stats.tradesOverTotal

        var lines: [String] = []
        for refund in refunds {
            let state = endState(refund)
            report.perState[state, default: 0] += 1
            report.perChannel[name(refund.method), default: [:]][state, default: 0] += 1
            if state == "NOT_SUBMITTED" { report.submitErrors += 1 }
            if state == "NOT_SETTLED" { report.lost += 1 }
            if state != "NOT_SETTLED" && state != "NOT_SUBMITTED" { report.settled += 1 }
            let payment = refund.payment
            let provider = payment.flatMap { providerRefunds[$0.providerRefundNo] }
            if let payment, payment.state != .failed, payment.amountFen > refund.amountFen {
                report.overCaptured += 1
            }
            // The sandbox's record must agree with ours.
            if let payment, refund.method != .balance {
                let agrees: Bool =
                    switch payment.state {
                    case .arrived where payment.resolution.isEmpty:
                        provider?.moneyMoved == 1 && provider?.reversed == false
                    case .arrived, .failed, .abnormal:
                        provider == nil || provider?.moneyMoved == 0 || provider?.reversed == true
                    case .reversed: provider?.reversed == true
                    default: true
                    }
                if !agrees {
                    report.disagreements.append(
                        "\(refund.refundID) \(payment.state) vs sandbox \(String(describing: provider))"
                    )
                }
            }
            var line: [String: Any] = [
                "index": refund.index, "order_id": refund.orderID, "refund_id": refund.refundID,
                "channel": name(refund.method), "amount_fen": Int(refund.amountFen), "end_state": state,
                "intake_state": "\(refund.intakeState)",
            ]
            if let payment {
                line["payment_state"] = "\(payment.state)"
                line["provider_refund_no"] = payment.providerRefundNo
                line["resolution"] = payment.resolution
                line["failure_reason"] = payment.failureReason
            }
            if let provider {
                line["sandbox_state"] = provider.state.rawValue
                line["sandbox_money_moved"] = provider.moneyMoved
                line["sandbox_submissions"] = provider.submissions
                line["sandbox_reversed"] = provider.reversed
                line["sandbox_notifications_sent"] = provider.notificationsSent
            }
            if !refund.submitError.isEmpty { line["submit_error"] = refund.submitError }
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
            lines.append(String(decoding: data, as: UTF8.self))
        }
        try (lines.joined(separator: "\n") + "\n").write(
            to: URL(fileURLWithPath: soak.endStatesPath),
            atomically: true,
            encoding: .utf8
        )

        let trial = try await soak.payments.trialBalance(TrialBalanceRequest())
        report.trialBalanceFen = trial.totalFen
        report.trialBalanced = trial.balanced && trial.unbalancedEntryIds.isEmpty

        // Notifications shown once (R-N3): no event twice in any user's inbox.
        let duplicates = Mutex(0)
        let notification = soak.notification
        let users = refunds.filter { !$0.refundID.isEmpty }.map(\.userID)
        try await soak.forEach(0..<users.count, soak.concurrency) { index in
            let items = try await notification.listInbox(ListInboxRequest(userID: users[index], limit: 1_000)).items
            let ids = items.map(\.eventID)
            let extra = ids.count - Set(ids).count
            // MONEY_SENT more than once for one refund is a notice shown twice too.
            let sent = items.filter { $0.kind == .moneySent }.count
            duplicates.withLock { $0 += extra + max(0, sent - 1) }
        }
        report.duplicateInboxEvents = duplicates.withLock { $0 }
        return report
    }

    var ok: Bool {
        paidTwice == 0 && lost == 0 && overCaptured == 0 && trialBalanced && trialBalanceFen == 0
            && duplicateInboxEvents == 0 && disagreements.isEmpty && submitErrors == 0
    }

    func print(faultRate: Double, concurrency: Int) {
        func out(_ text: String) { Swift.print(text) }
        out("refund-bench soak: \(refunds) refunds, concurrency \(concurrency), provider fault rate \(faultRate)")
        out("  submitted in \(submittedSeconds) s; all settled after \(elapsedSeconds) s")
        let throughput = elapsedSeconds > 0 ? Double(settled) / elapsedSeconds : 0
        out("  throughput: \(String(format: "%.1f", throughput)) refunds/s (submit → final or waiting for a person)")
        out("  end states:")
        for (state, count) in perState.sorted(by: { $0.key < $1.key }) { out("    \(state): \(count)") }
        out("  per channel:")
        for (channel, states) in perChannel.sorted(by: { $0.key < $1.key }) {
            let parts = states.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            out("    \(channel): \(parts.joined(separator: ", "))")
        }
        out("  invariants:")
        out("    paid twice: \(paidTwice)")
        out("    lost (not final nor waiting for a person): \(lost)")
        out("    not submitted: \(submitErrors)")
        out("    over-captured: \(overCaptured)")
        out("    trial balance: \(trialBalanceFen) fen (\(trialBalanced ? "balanced" : "UNBALANCED"))")
        out("    duplicate inbox events: \(duplicateInboxEvents)")
        out("    disagreements with the sandbox's records: \(disagreements.count)")
        for line in disagreements.prefix(5) { out("      \(line)") }
        if let stats = sandboxStats {
            let counters = stats.counters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            out(
                "  sandbox: \(stats.refunds) refund numbers, money moved \(stats.moneyMovedCount) times"
                    + " (\(stats.moneyMovedFen) fen), max per number \(stats.maxMoneyMovedPerRefund),"
                    + " reversed \(stats.reversed), trades over total \(stats.tradesOverTotal)"
            )
            out("  sandbox counters: \(counters.joined(separator: ", "))")
        }
        out("  end state of every refund: \(endStatesPath)")
        out(ok ? "  result: OK" : "  result: INVARIANT VIOLATED")
    }
}
