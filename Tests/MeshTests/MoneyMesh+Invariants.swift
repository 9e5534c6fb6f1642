import Foundation
import ProviderSandbox
import RefundMeshAPI
import RefundMeshRPC
import Testing

extension MoneyMesh {
    /// What the shared invariant check found, for tests that look further.
    struct Findings {
        var payments: [String: RefundPayment] = [:]
        var providerRefunds: [String: ProviderRefund] = [:]
    }

    /// The invariants every money-movement test ends with (R-C5, R-C6, R-C8, R-C9, R-N3):
    /// - **none lost**: every refund the test drove reaches a final state or one that explicitly
    ///   waits for a person (ARRIVED, FAILED, ABNORMAL, REVERSED) in payment-channel, and intake
    ///   shows the matching state (MONEY_ARRIVED, FAILED, MONEY_SENT while ABNORMAL, MONEY_REVERSED);
    /// - **none paid twice**: the sandbox moved money at most once per refund number, and its
    ///   record agrees with ours (ARRIVED through the provider = moved once and not reversed);
    /// - **captured never exceeded**: per payment, the refunds that did not fail add up to at most
    ///   what it captured, and the sandbox saw no trade refunded beyond its total;
    /// - **the ledger balanced**: TrialBalance totals zero with no unbalanced entry;
    /// - **notifications shown once**: no event twice in an inbox, and each refund's MONEY_SENT at
    ///   most once (MONEY_ARRIVED at most once more after an operator's resolution).
    @discardableResult
    func checkInvariants(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Findings {
        var findings = Findings()
        let driven = await ledger.refunds
        let captured = await ledger.captured
        let waiting: Set<RefundPayment.State> = [.arrived, .failed, .abnormal, .reversed]
        // None lost.
        for refund in driven {
            let record = try await payment(refund.refundID, "final or waiting for a person") {
                waiting.contains($0.state)
            }
            findings.payments[refund.refundID] = record
            guard refund.viaIntake else { continue }
            let expected: RefundMeshAPI.RefundState =
                switch record.state {
                case .arrived: .moneyArrived
                case .failed: .failed
                case .reversed: .moneyReversed
                default: .moneySent
                }
            let view = try await intake.getRefund(GetRefundRequest(userID: refund.userID, refundID: refund.refundID))
            let seen = try await self.view(view, "\(expected) as payment-channel's \(record.state)") {
                $0.state == expected
            }
            #expect(seen.state == expected, sourceLocation: sourceLocation)
        }

        // None paid twice, and the sandbox agrees with us.
        let stats = try await control.stats()
        #expect(
            stats.maxMoneyMovedPerRefund <= 1,
            "money moved twice for one refund number",
            sourceLocation: sourceLocation
        )
        #expect(stats.tradesOverTotal == 0, "a trade was refunded beyond its total", sourceLocation: sourceLocation)
        let providerRefunds = try await control.refunds()
        for refund in providerRefunds {
            #expect(
                refund.moneyMoved <= 1,
                "\(refund.refundNo) moved money \(refund.moneyMoved) times",
                sourceLocation: sourceLocation
            )
            findings.providerRefunds[refund.refundNo] = refund
        }
        #expect(
            Set(providerRefunds.map(\.refundNo)).count == providerRefunds.count,
            "one sandbox record per refund number",
            sourceLocation: sourceLocation
        )
        for record in findings.payments.values where record.method != .balance && !record.providerRefundNo.isEmpty {
            let provider = findings.providerRefunds[record.providerRefundNo]
            switch record.state {
            case .arrived where record.resolution.isEmpty:
                #expect(
                    provider?.moneyMoved == 1 && provider?.reversed == false,
                    "\(record.refundID) ARRIVED but the sandbox has \(String(describing: provider))",
                    sourceLocation: sourceLocation
                )
            case .arrived, .failed, .abnormal:
                // Credited to the balance by an operator, refused, closed or stuck: the provider
                // kept the money (or took it back).
                #expect(
                    provider == nil || provider?.moneyMoved == 0 || provider?.reversed == true,
                    "\(record.refundID) is \(record.state) (\(record.resolution)) but the sandbox paid it: \(String(describing: provider))",
                    sourceLocation: sourceLocation
                )
            case .reversed:
                #expect(provider?.reversed == true, "\(record.refundID) REVERSED", sourceLocation: sourceLocation)
            default:
                break
            }
        }

        // Captured amounts never exceeded (R-C5).
        var refundedPerPayment: [String: Int64] = [:]
        for record in findings.payments.values where record.state != .failed {
            refundedPerPayment[record.paymentID, default: 0] += record.amountFen
        }
        for (paymentID, refunded) in refundedPerPayment {
            let total = captured[paymentID] ?? 0
            #expect(
                refunded <= total,
                "payment \(paymentID): \(refunded) fen refunded of \(total) captured",
                sourceLocation: sourceLocation
            )
        }

        // The ledger balanced.
        let trial = try await payments.trialBalance(TrialBalanceRequest())
        #expect(trial.balanced && trial.totalFen == 0, "trial balance: \(trial)", sourceLocation: sourceLocation)
        #expect(trial.unbalancedEntryIds.isEmpty, sourceLocation: sourceLocation)

        // Notifications shown once (R-N3).
        for user in Set(driven.filter(\.viaIntake).map(\.userID)) {
            let items = try await notification.listInbox(ListInboxRequest(userID: user, limit: 1_000)).items
            let eventIDs = items.map(\.eventID)
            #expect(
                Set(eventIDs).count == eventIDs.count,
                "\(user)'s inbox shows an event twice",
                sourceLocation: sourceLocation
            )
            for refund in driven where refund.userID == user {
                let mine = items.filter { $0.refundID == refund.refundID }
                let resolved = !(findings.payments[refund.refundID]?.resolution.isEmpty ?? true)
                #expect(mine.filter { $0.kind == .moneySent }.count <= 1, sourceLocation: sourceLocation)
                #expect(
                    mine.filter { $0.kind == .moneyArrived }.count <= (resolved ? 2 : 1),
                    "\(refund.refundID): \(mine.map(\.kind))",
                    sourceLocation: sourceLocation
                )
            }
        }
        return findings
    }
}
