import ArgumentParser
import Foundation
import RefundMeshAPI
import RefundMeshRPC

// The payment operator's day (R-C5, R-C6, R-C8): a refund's ledger, the trial balance, a day's
// reconciliation with a provider's bill, alerts, and resolving ABNORMAL or REVERSED refunds.

/// `refundctl ledger <refund-id>`: the refund's double-entry journal.
struct PaymentLedger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Show a refund's ledger entries: every movement with its balanced postings (R-C5)."
    )

    @OptionGroup var mesh: MeshAddresses
    @Argument(help: "The refund id.") var refundID: String

    func run() async throws {
        let clients = try MeshClients(mesh)
        let ledger = try await clients.payments.getRefundLedger(GetRefundLedgerRequest(refundID: refundID))
        if ledger.entries.isEmpty { print("no ledger entries for refund \(refundID)") }
        for entry in ledger.entries {
            let memo = entry.memo.isEmpty ? "" : "  (\(entry.memo))"
            print("#\(entry.entryID) \(PaymentText.time(entry.atMs)) \(entry.movement)\(memo)")
            for posting in entry.postings {
                print("    \(PaymentText.pad(posting.account, 34)) \(PaymentText.signed(posting.amountFen))")
            }
        }
        await clients.close()
    }
}

/// `refundctl trial-balance`: every account's balance; the total must be zero.
struct TrialBalanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trial-balance",
        abstract: "Show every ledger account's balance (debit positive); balanced when the total is zero."
    )

    @OptionGroup var mesh: MeshAddresses

    func run() async throws {
        let clients = try MeshClients(mesh)
        let report = try await clients.payments.trialBalance(TrialBalanceRequest())
        for account in report.accounts {
            print("\(PaymentText.pad(account.account, 38)) \(PaymentText.signed(account.amountFen))")
        }
        print("\(PaymentText.pad("total", 38)) \(PaymentText.signed(report.totalFen))")
        print(
            report.balanced
                ? "balanced: \(report.entries) entries"
                : "NOT BALANCED: entries \(report.unbalancedEntryIds.map(String.init).joined(separator: ", "))"
        )
        await clients.close()
        if !report.balanced { throw ExitCode(2) }
    }
}

/// `refundctl reconcile --channel wechat --date YYYY-MM-DD`: our refunds against the provider's bill.
struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a day's refunds of one channel with the provider's bill (R-C6); exit 2 on mismatches."
    )

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "wechat, alipay or bank.") var channel: String
    @Option(help: "The day, YYYY-MM-DD (the shop's calendar).") var date: String

    func run() async throws {
        let method: PaymentMethod
        switch channel.lowercased() {
        case "wechat", "wechat-pay", "wechatpay": method = .wechatPay
        case "alipay": method = .alipay
        case "bank", "bank-card", "card": method = .bankCard
        default: throw ValidationError("--channel \"\(channel)\": use wechat, alipay or bank")
        }
        let clients = try MeshClients(mesh)
        let report = try await clients.payments.reconcileDay(ReconcileDayRequest(method: method, date: date))
        print(
            "\(channel) \(report.date): \(report.ourRefunds) refunds here, \(report.providerRecords) lines in the bill"
        )
        for mismatch in report.mismatches {
            print(
                "  \(PaymentText.pad("\(mismatch.kind)", 20)) \(mismatch.providerRefundNo)"
                    + (mismatch.refundID.isEmpty ? "" : " (refund \(mismatch.refundID))") + ": \(mismatch.detail)"
            )
        }
        print(report.mismatches.isEmpty ? "no mismatches" : "\(report.mismatches.count) mismatches")
        await clients.close()
        if !report.mismatches.isEmpty { throw ExitCode(2) }
    }
}

/// `refundctl alerts`: stuck, ABNORMAL, reversed, paid twice, conflicting statuses.
struct Alerts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List payment alerts, newest first (R-C6, R-C8)."
    )

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "Only this refund's.") var refund: String = ""
    @Option(help: "At most this many.") var limit: Int32 = 50

    func run() async throws {
        let clients = try MeshClients(mesh)
        let list = try await clients.payments.listAlerts(ListAlertsRequest(refundID: refund, limit: limit))
        if list.alerts.isEmpty { print("no alerts") }
        for alert in list.alerts {
            print("#\(alert.alertID) \(PaymentText.time(alert.atMs)) \(alert.kind) \(alert.refundID): \(alert.message)")
        }
        await clients.close()
    }
}

/// `refundctl resolve <refund-id> --action to-balance --operator ID --note …`.
struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resolve an ABNORMAL or REVERSED refund: retry the original way, or credit the balance (R-C8)."
    )

    @OptionGroup var mesh: MeshAddresses
    @Argument(help: "The refund id.") var refundID: String
    @Option(help: "retry-original or to-balance.") var action: String
    @Option(name: .customLong("operator"), help: "Who decides (default: $REFUNDCTL_OPERATOR).") var operatorID: String?
    @Option(help: "Why.") var note: String = ""

    func run() async throws {
        let wireAction: ResolveRefundRequest.Action
        switch action {
        case "retry-original": wireAction = .retryOriginal
        case "to-balance": wireAction = .toBalance
        default: throw ValidationError("--action \"\(action)\": use retry-original or to-balance")
        }
        let who = operatorID ?? ProcessInfo.processInfo.environment["REFUNDCTL_OPERATOR"] ?? ""
        guard !who.isEmpty else { throw ValidationError("say who you are: --operator ID or REFUNDCTL_OPERATOR=ID") }
        let clients = try MeshClients(mesh)
        let refund = try await clients.payments.resolveRefund(
            ResolveRefundRequest(refundID: refundID, action: wireAction, operatorID: who, note: note)
        )
        print(
            "refund \(refund.refundID): \(refund.state) (\(refund.resolution)), \(PaymentText.signed(refund.amountFen))"
        )
        await clients.close()
    }
}

/// Formatting for the payment commands.
enum PaymentText {
    /// Fen as signed yuan, e.g. -99.40.
    static func signed(_ fen: Int64) -> String {
        let sign = fen < 0 ? "-" : " "
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// Unix milliseconds as UTC ISO 8601.
    static func time(_ ms: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(ms) / 1000)
        return date.formatted(.iso8601)
    }
}
