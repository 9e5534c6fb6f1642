import GRDB
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshStore

extension RefundNotices {
    /// Raises an alert (R-C6, R-C8): an `alerts` row for ListAlerts, a message to the operators'
    /// inbox (``PaymentChannelConfiguration/operatorsRecipient``) through the outbox, like
    /// review's supervisors escalation, and — when `userState` is given — the user hears of it
    /// (R-N1) and intake's timeline records it in that state.
    ///
    /// Called only on a state change (or the stuck escalation, once), so an alert is raised once
    /// per occurrence; its event ids carry the alert id.
    static func alert(
        _ db: some SQLSession,
        _ refund: RefundPaymentRecord,
        kind: String,
        message: String,
        context: PaymentStore.Context,
        userState: RefundState? = nil,
        at nowMs: Int64
    ) throws {
        let alertID =
            try db.value(
                Int64.self,
                "INSERT INTO payment_alerts (refund_id, kind, message, at_ms) VALUES (?, ?, ?, ?) RETURNING alert_id",
                [refund.refundID, kind, message, nowMs]
            ) ?? 0
        let eventID = eventID(refundID: refund.refundID, step: "\(kind)-\(alertID)")
        try enqueuePublish(
            db,
            RefundEvent(
                eventID: eventID + ":operators",
                userID: context.settings.operatorsRecipient,
                refundID: refund.refundID,
                orderID: refund.orderID,
                kind: .slaEscalated,
                amountFen: refund.amountFen,
                rule: "R-C8",
                reason: "[\(kind)] user \(refund.userID): \(message)",
                atMs: nowMs,
                locale: "en"
            )
        )
        guard let userState else { return }
        let text = userText(kind: kind)
        try enqueuePublish(
            db,
            RefundEvent(
                eventID: eventID,
                userID: refund.userID,
                refundID: refund.refundID,
                orderID: refund.orderID,
                kind: .slaEscalated,
                amountFen: refund.amountFen,
                rule: kind == "stuck" ? "R-C6" : "R-C8",
                reason: text,
                expectedArrivalMs: refund.expectedArrivalMs,
                atMs: nowMs,
                locale: "zh-CN"
            )
        )
        try enqueueStatus(
            db,
            refund,
            eventID: eventID,
            state: userState,
            rule: kind == "stuck" ? "R-C6" : "R-C8",
            reason: text,
            at: nowMs
        )
    }

    /// What the user is told (Chinese, the default locale, R-N2).
    private static func userText(kind: String) -> String {
        switch kind {
        case "stuck": "退款到账时间已超过预计时间，已转交专人处理（R-C6）。"
        case "abnormal": "渠道退款异常（如银行卡已注销或冻结），已转交专人处理，可改退至平台余额（R-C8）。"
        case "reversed": "渠道退回了已到账的退款，款项已回到平台，专人将尽快为您重新退款（R-C8）。"
        default: "退款处理出现异常，已转交专人处理。"
        }
    }

    /// An operator credited the balance instead (R-C1): MONEY_ARRIVED with its own event id.
    static func creditedToBalance(_ db: some SQLSession, _ refund: RefundPaymentRecord, at nowMs: Int64) throws {
        try enqueueStep(
            db,
            refund,
            step: "to-balance",
            state: .moneyArrived,
            kind: .moneyArrived,
            rule: "R-C1",
            reason: "\(RefundText.money(refund.amountFen)) 已退至平台余额",
            at: nowMs
        )
    }
}
