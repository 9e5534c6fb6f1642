import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC

extension PaymentChannelHandler {
    public func getRefundLedger(_ request: GetRefundLedgerRequest, context: ServerContext) async throws -> RefundLedger
    {
        try Self.require(request.refundID, "refund_id")
        let entries = try await payments.ledgerEntries(refundID: request.refundID)
        return RefundLedger(
            refundID: request.refundID,
            entries: entries.map { entry in
                LedgerEntry(
                    entryID: entry.entryID,
                    refundID: entry.refundID,
                    movement: entry.movement,
                    atMs: entry.atMs,
                    postings: entry.postings.map { LedgerPosting(account: $0.account, amountFen: $0.amountFen) },
                    memo: entry.memo
                )
            }
        )
    }

    public func trialBalance(_ request: TrialBalanceRequest, context: ServerContext) async throws -> TrialBalanceReport
    {
        let trial = try await payments.trialBalance()
        return TrialBalanceReport(
            accounts: trial.accounts.map { LedgerPosting(account: $0.account, amountFen: $0.amountFen) },
            totalFen: trial.totalFen,
            balanced: trial.isBalanced,
            entries: trial.entries,
            unbalancedEntryIds: trial.unbalancedEntryIDs
        )
    }

    public func reconcileDay(
        _ request: ReconcileDayRequest,
        context: ServerContext
    ) async throws
        -> ReconciliationReport
    {
        guard [.wechatPay, .alipay, .bankCard].contains(request.method) else {
            throw RPCError(code: .invalidArgument, message: "method must be WECHAT_PAY, ALIPAY or BANK_CARD")
        }
        guard let day = CivilDate(parsing: request.date) else {
            throw RPCError(code: .invalidArgument, message: "date \"\(request.date)\" is not YYYY-MM-DD")
        }
        let report = try await Self.mapping { try await payer.reconcile(method: request.method, day: day) }
        return ReconciliationReport(
            method: report.method,
            date: "\(report.day)",
            ourRefunds: Int64(report.ourRefunds),
            providerRecords: Int64(report.providerRecords),
            mismatches: report.mismatches.map { mismatch in
                ReconciliationMismatch(
                    kind: Self.wireKind(mismatch.kind),
                    refundID: mismatch.refundID,
                    providerRefundNo: mismatch.providerRefundNo,
                    ourAmountFen: mismatch.ourAmountFen,
                    providerAmountFen: mismatch.providerAmountFen,
                    ourState: mismatch.ourState,
                    providerState: mismatch.providerState,
                    detail: mismatch.detail
                )
            }
        )
    }

    public func listAlerts(_ request: ListAlertsRequest, context: ServerContext) async throws -> AlertList {
        if !request.refundID.isEmpty { try Self.require(request.refundID, "refund_id") }
        let limit = request.limit > 0 ? min(Int(request.limit), 500) : 100
        return AlertList(
            alerts: try await payments.alerts(refundID: request.refundID, limit: limit).map {
                PaymentAlert(
                    alertID: $0.alertID,
                    refundID: $0.refundID,
                    kind: $0.kind,
                    message: $0.message,
                    atMs: $0.atMs
                )
            }
        )
    }

    public func resolveRefund(_ request: ResolveRefundRequest, context: ServerContext) async throws -> RefundPayment {
        try Self.validate(request)
        return try await Self.mapping {
            let action: PaymentStore.Resolution
            switch request.action {
            case .retryOriginal: action = .retryOriginal
            case .toBalance: action = .toBalance
            default: throw PaymentChannelError.invalid("action must be RETRY_ORIGINAL or TO_BALANCE")
            }
            let resolved = try await payments.resolve(
                request.refundID,
                action: action,
                operatorID: request.operatorID,
                note: request.note,
                at: now()
            )
            context.logger.info(
                "refund resolved by an operator (R-C8)",
                metadata: [
                    "refund.id": "\(request.refundID)", "resolution": "\(action.rawValue)",
                    "operator": "\(request.operatorID)",
                ]
            )
            guard action == .retryOriginal, resolved.state == .sent else { return resolved.message }
            // Ask again under the same number (R-C6); the queries take it from there.
            return try await payer.submit(resolved, resubmit: true).message
        }
    }

    static func wireKind(_ kind: Reconciliation.Mismatch.Kind) -> ReconciliationMismatch.Kind {
        switch kind {
        case .missingAtProvider: .missingAtProvider
        case .missingHere: .missingHere
        case .amountDiffers: .amountDiffers
        case .stateDiffers: .stateDiffers
        case .paidTwice: .paidTwice
        }
    }
}
