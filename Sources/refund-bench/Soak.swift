import Foundation
import ProviderSandbox
import RefundMeshAPI
import RefundMeshRPC
import Synchronization

/// `refund-bench --soak`: many refunds through the mesh and `provider-sandbox` with seeded
/// provider faults, a mix of channels, then a wait until every refund is final or explicitly
/// waiting for a person, then the invariants (docs/PERFORMANCE.md, "Soak").
///
/// Each refund is its own order and user (a card key, approved automatically, R-R1); channels
/// rotate balance → WeChat Pay → Alipay → bank card. The sandbox's fault rates are split evenly
/// over the fault kinds (timeout after commit, failure, ABNORMAL, duplicate and out-of-order
/// notifications, notification before the answer, reversal); rate limits come from the sandbox's
/// R-C7 settings (scripts/soak.sh sets WeChat's merchant limit below payment-channel's throttle).
struct Soak {
    var refunds: Int
    var concurrency: Int
    var faultRate: Double
    var seed: UInt64
    var settleTimeout: Duration
    var endStatesPath: String
    var intake: Intake.Client
    var payments: PaymentChannel.Client
    var notification: RefundMeshAPI.Notification.Client
    var sandbox: SandboxControlClient
    var forEach: @Sendable (Range<Int>, Int, @escaping @Sendable (Int) async throws -> Void) async throws -> Void

    static let channels: [PaymentMethod] = [.balance, .wechatPay, .alipay, .bankCard]

    /// One refund of the soak and where it ended.
    struct Refund: Sendable {
        var index: Int
        var orderID: String
        var userID: String
        var method: PaymentMethod
        var amountFen: Int64
        var refundID = ""
        var submitError = ""
        var payment: RefundPayment?
        var intakeState: RefundMeshAPI.RefundState = .unspecified
    }

    /// The fault rates: `faultRate` in total, split over the fault kinds.
    func rates() -> FaultRates {
        let share = faultRate / 7
        return FaultRates(
            timeoutAfterCommit: share,
            fail: share,
            abnormal: share,
            closed: 0,
            duplicateNotifications: share,
            outOfOrder: share,
            notifyBeforeAnswer: share,
            reverse: share,
            latencyMs: 0,
            settleAfterMs: nil,
            reverseAfterMs: 1_000,
            seed: seed
        )
    }

    func run() async throws -> SoakReport {
        let run = String(Int64(Date().timeIntervalSince1970 * 1000), radix: 36)
        let paidAt = Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000
        try await sandbox.clearRules()
        try await sandbox.setRates(rates())
        // R-C7 answers on top: the first requests of WeChat and the bank are refused as too frequent
        // (a share of the fault rate), which payment-channel must wait out, never fail for.
        let limited = Int((Double(refunds) * faultRate / 8).rounded(.up))
        if limited > 0 {
            for (provider, code) in [("wechat", "FREQUENCY_LIMITED"), ("bank", "RATE_LIMITED")] {
                try await sandbox.addRule(
                    BehaviourRule(provider: provider, times: limited / 2 + 1, behaviour: Behaviour(fail: code))
                )
            }
        }
        let table = Mutex(
            (0..<refunds).map { index in
                Refund(
                    index: index,
                    orderID: "soak-\(run)-\(index)",
                    userID: "soak-\(run)-u\(index)",
                    method: Self.channels[index % Self.channels.count],
                    amountFen: 1_000 + Int64(index % 500)
                )
            }
        )
        let (intake, payments, sandbox) = (self.intake, self.payments, self.sandbox)

        // The platform's facts, not measured: orders, captured payments, trade totals at the provider.
        print("soak: recording \(refunds) orders and payments…")
        try await forEach(0..<refunds, concurrency) { index in
            let refund = table.withLock { $0[index] }
            _ = try await intake.recordOrder(
                RecordOrderRequest(
                    order: Order(
                        orderID: refund.orderID,
                        userID: refund.userID,
                        productKind: .cardKey,
                        sku: "soak",
                        productName: "soak card",
                        priceFen: refund.amountFen,
                        paidAtMs: paidAt,
                        cardKeyID: "ck-\(refund.orderID)"
                    )
                )
            )
            _ = try await payments.recordPayment(
                CapturedPayment(
                    paymentID: "pay-\(refund.orderID)",
                    orderID: refund.orderID,
                    userID: refund.userID,
                    method: refund.method,
                    amountFen: refund.amountFen,
                    capturedAtMs: paidAt
                )
            )
            // Alipay's and the bank's requests do not carry the total: register it (R-C5 at the provider).
            if refund.method == .alipay {
                try await sandbox.registerTrade(
                    provider: "alipay",
                    tradeNo: refund.orderID,
                    totalFen: refund.amountFen,
                    paidAtMs: paidAt
                )
            } else if refund.method == .bankCard {
                try await sandbox.registerTrade(
                    provider: "bank",
                    tradeNo: "pay-\(refund.orderID)",
                    totalFen: refund.amountFen,
                    paidAtMs: paidAt
                )
            }
        }

        print("soak: submitting \(refunds) refunds at concurrency \(concurrency)…")
        let start = ContinuousClock.now
        try await forEach(0..<refunds, concurrency) { index in
            let refund = table.withLock { $0[index] }
            do {
                let view = try await intake.submitRefund(
                    SubmitRefundRequest(
                        idempotencyKey: "soak-\(refund.orderID)",
                        userID: refund.userID,
                        orderID: refund.orderID,
                        source: .orderPage,
                        ground: .notUsed,
                        reasonStatement: "Soak refund: the card key was never redeemed and the proofs are attached.",
                        attachments: [
                            Attachment(
                                kind: .orderProof,
                                fileName: "o.txt",
                                contentType: "text/plain",
                                content: Array(refund.orderID.utf8)
                            ),
                            Attachment(kind: .paymentProof, fileName: "p.txt", contentType: "text/plain", content: [1]),
                            Attachment(kind: .nonUseProof, fileName: "n.txt", contentType: "text/plain", content: [2]),
                        ],
                        destination: .original
                    )
                )
                table.withLock { $0[index].refundID = view.refundID }
            } catch {
                table.withLock { $0[index].submitError = "\(error)" }
            }
        }
        let submitted = ContinuousClock.now - start
        print(
            "soak: submitted in \(Self.seconds(submitted)) s; waiting until every refund is final or waiting for a person…"
        )

        // Until every refund is final or explicitly waiting for a person, in rounds. A refund that
        // arrived can still be reversed (R-C8), so once all look settled the sandbox must be quiet
        // (nothing PROCESSING, no reversal due, no notification waiting) and one more full read of
        // every refund must find them all settled: that read is the end state reported.
        let deadline = ContinuousClock.now + settleTimeout
        let submittedRefunds = Array(0..<refunds).filter { index in table.withLock { !$0[index].refundID.isEmpty } }
        var open = submittedRefunds
        var lastDone = ContinuousClock.now
        var finalRead = false
        while ContinuousClock.now < deadline {
            let still = Mutex<[Int]>([])
            try await forEach(0..<open.count, concurrency) { [open] position in
                let index = open[position]
                let refund = table.withLock { $0[index] }
                let payment: RefundPayment
                do {
                    payment = try await payments.getRefundPayment(GetRefundPaymentRequest(refundID: refund.refundID))
                } catch let error as RPCError where error.code == .notFound {
                    still.withLock { $0.append(index) }
                    return
                }
                let view = try await intake.getRefund(
                    GetRefundRequest(userID: refund.userID, refundID: refund.refundID)
                )
                table.withLock {
                    $0[index].payment = payment
                    $0[index].intakeState = view.state
                }
                if !SoakReport.isSettled(payment: payment, intake: view.state) { still.withLock { $0.append(index) } }
            }
            let remaining = still.withLock { $0 }
            if remaining.isEmpty {
                if finalRead { break }  // the final full read found every refund settled
                if try await sandboxIsQuiet() {
                    lastDone = ContinuousClock.now
                    finalRead = true
                    open = submittedRefunds
                    continue
                }
                print("soak: every refund settled; waiting for the sandbox's reversals and notifications")
                open = submittedRefunds
            } else {
                finalRead = false
                open = remaining
                print("soak: \(refunds - open.count) of \(refunds) settled, \(open.count) still moving")
            }
            try await Task.sleep(for: .seconds(2))
        }
        // Until the sandbox was quiet and every refund settled (conservative: includes the last wait).
        let elapsed = lastDone - start
        let final = table.withLock { $0 }
        return try await SoakReport.make(
            refunds: final,
            submitted: submitted,
            elapsed: elapsed,
            soak: self
        )
    }

    /// Nothing more will happen at the sandbox by itself: no refund PROCESSING, no reversal due,
    /// no notification waiting for the merchant's 2xx.
    func sandboxIsQuiet() async throws -> Bool {
        guard try await sandbox.pendingNotifications() == 0 else { return false }
        return try await sandbox.refunds().allSatisfy { refund in
            refund.state != .processing && (refund.reverseAtMs == nil || refund.reversedAtMs != nil)
        }
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
