import Foundation
import Logging
import PaymentChannelService
import RefundMeshHosting
import RefundMeshProviders

/// Turns providers' asynchronous refund notifications into provider statuses applied to the
/// ``PaymentStore`` (R-C9), and words the answer the way each provider expects so it sends the
/// notice again when we could not record it.
///
/// Every notice is verified by the provider's client before anything else happens (WeChat Pay:
/// platform signature and timestamp, then AES-256-GCM decryption under the APIv3 key; Alipay:
/// RSA2; the bank: HMAC-SHA256): a notice that does not verify is answered with a failure and never
/// reaches the store. A verified notice goes to
/// ``PaymentStore/applyProviderStatus(providerRefundNo:status:source:at:)``, which decides from
/// the stored state in one transaction — so a notice that arrives before our own SENT commit,
/// twice, or out of order records nothing twice; a duplicate is answered with success like the
/// first (the provider would otherwise send it forever). A notice for a refund number we do not
/// know, or one the store could not record, is answered with a failure so the provider retries.
public struct ProviderNotificationReceiver: Sendable {
    public let payments: PaymentStore
    public let wechat: WeChatPayClient?
    public let alipay: AlipayClient?
    public let bank: BankCardClient?
    private let logger: Logger
    private let now: @Sendable () -> Int64

    /// - Parameters: the clients of the providers whose notifications are accepted (nil: that
    ///   provider's route answers 404, e.g. a channel that is simulated in process).
    public init(
        payments: PaymentStore,
        wechat: WeChatPayClient?,
        alipay: AlipayClient?,
        bank: BankCardClient?,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        self.payments = payments
        self.wechat = wechat
        self.alipay = alipay
        self.bank = bank
        self.logger = logger
        self.now = now
    }

    // MARK: WeChat Pay

    /// A WeChat Pay refund notification (`REFUND.SUCCESS` / `REFUND.ABNORMAL` / `REFUND.CLOSED`).
    /// Success: 204 without a body; failure: 4xx/5xx with `{"code","message"}` (WeChat retries).
    public func wechat(headers: ProviderHeaders, body: Data) async -> NotificationAnswer {
        guard let wechat else { return WeChatWords.failure(404, "NOT_FOUND", "WeChat Pay is not configured here") }
        let notification: WeChatPayVerifiedNotification
        do {
            notification = try wechat.parseNotification(headers: headers, body: body)
        } catch {
            return rejected(error, provider: "wechatpay", words: WeChatWords.self)
        }
        let notice = notification.notice
        let status = WeChatPayChannelAdapter.status(
            notice.refundStatus,
            successTime: ProviderTime.milliseconds(notice.successTime),
            refundNo: notice.outRefundNo,
            fallbackAtMs: now()
        )
        return await apply(
            status,
            refundNo: notice.outRefundNo,
            noticeID: notification.id,
            provider: "wechatpay",
            words: WeChatWords.self
        )
    }

    // MARK: Alipay

    /// An Alipay notification (form-encoded `trade_status_sync`). Answered `success` once recorded,
    /// `fail` otherwise (Alipay resends anything but `success` for about a day).
    ///
    /// The refund's state: `refund_status` when the notice carries it (`REFUND_SUCCESS`,
    /// `REFUND_CLOSED`, `REFUND_REVERSED`, `PROCESSING`); otherwise a notice with `out_biz_no` and
    /// `gmt_refund` says the refund completed (money moved). A notice without `out_biz_no` is about
    /// the payment, not a refund: acknowledged and ignored.
    public func alipay(headers: ProviderHeaders, body: Data) async -> NotificationAnswer {
        guard let alipay else { return AlipayWords.failure(404, "", "Alipay is not configured here") }
        let notification: AlipayNotification
        do {
            notification = try alipay.parseNotification(headers: headers, body: body)
        } catch {
            return rejected(error, provider: "alipay", words: AlipayWords.self)
        }
        guard let refundNo = notification.outBizNo, !refundNo.isEmpty else {
            logger.debug(
                "Alipay notification without out_biz_no (not a refund); acknowledged",
                metadata: ["provider.notify_id": "\(notification.notifyID)"]
            )
            return AlipayWords.success
        }
        let at = ProviderTime.milliseconds(notification.gmtRefund) ?? now()
        let word =
            notification.parameters["refund_status"]
            ?? (notification.gmtRefund != nil ? "REFUND_SUCCESS" : "PROCESSING")
        return await apply(
            AlipayChannelAdapter.status(word, refundNo: refundNo, atMs: at),
            refundNo: refundNo,
            noticeID: notification.notifyID,
            provider: "alipay",
            words: AlipayWords.self
        )
    }

    // MARK: Bank

    /// A bank notification (JSON, HMAC-signed `X-Bank-*`). 200 `{"code":"SUCCESS"}` once recorded.
    public func bank(headers: ProviderHeaders, body: Data) async -> NotificationAnswer {
        guard let bank else { return BankWords.failure(404, "NOT_FOUND", "the bank is not configured here") }
        let notification: BankRefundNotification
        do {
            notification = try bank.parseNotification(headers: headers, body: body)
        } catch {
            return rejected(error, provider: "bank", words: BankWords.self)
        }
        let refund = notification.refund
        let status = BankCardChannelAdapter.status(
            refund.state,
            settledAtMs: refund.settledAtMs,
            reason: refund.returnReason,
            refundNo: refund.refundNo,
            fallbackAtMs: notification.occurredAtMs
        )
        return await apply(
            status,
            refundNo: refund.refundNo,
            noticeID: notification.notificationID,
            provider: "bank",
            words: BankWords.self
        )
    }

    // MARK: Shared

    private func rejected(_ error: any Error, provider: String, words: any NotificationWords.Type) -> NotificationAnswer
    {
        let signature = (error as? ProviderError)?.code == .badSignature
        logger.warning(
            signature
                ? "provider notification failed verification; rejected, nothing recorded"
                : "provider notification is not readable; rejected, nothing recorded",
            metadata: ["provider": "\(provider)", "error": "\(error)"]
        )
        return signature
            ? words.failure(401, "SIGN_ERROR", "signature verification failed")
            : words.failure(400, "PARAM_ERROR", "not a refund notification")
    }

    private func apply(
        _ status: ChannelRefundStatus,
        refundNo: String,
        noticeID: String,
        provider: String,
        words: any NotificationWords.Type
    ) async -> NotificationAnswer {
        let metadata: Logger.Metadata = [
            "provider": "\(provider)", "refund.provider_no": "\(refundNo)", "provider.notice_id": "\(noticeID)",
            "provider.status": "\(status.name)",
        ]
        do {
            switch try await payments.applyProviderStatus(
                providerRefundNo: refundNo,
                status: status,
                source: .notification,
                at: now()
            ) {
            case .applied(let refund, let changed):
                logger.info(
                    changed
                        ? "provider notification applied"
                        : "provider notification changed nothing (seen before or stale)",
                    metadata: metadata.merging(["refund.id": "\(refund.refundID)", "refund.state": "\(refund.state)"]) {
                        $1
                    }
                )
                return words.success
            case .unknownRefund:
                logger.notice(
                    "provider notification for an unknown refund number; the provider will retry",
                    metadata: metadata
                )
                return words.failure(404, "RESOURCE_NOT_EXISTS", "no refund \(refundNo) here yet; send it again")
            }
        } catch {
            logger.error(
                "provider notification could not be recorded; the provider will retry",
                metadata: metadata.merging(["error": "\(error)"]) { $1 }
            )
            return words.failure(500, "SYSTEM_ERROR", "could not record the notification; send it again")
        }
    }
}
