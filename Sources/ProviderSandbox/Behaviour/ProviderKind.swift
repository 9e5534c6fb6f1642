/// The outside parties the sandbox plays.
public enum ProviderKind: String, Codable, Sendable, CaseIterable {
    /// WeChat Pay API v3 (`/v3/refund/domestic/refunds`).
    case wechat
    /// Alipay's open gateway (`alipay.trade.refund`, …).
    case alipay
    /// A card-acquiring bank (`/bank/v1/refunds`).
    case bank
    /// A game operator that credits recharges (`/operator/v1/recharges`, R-R2).
    case `operator`
    /// An SMS gateway (`/sms/v1/messages`, R-N2).
    case sms

    /// The providers that refund money (R-C1).
    public static let refundProviders: [ProviderKind] = [.wechat, .alipay, .bank]

    /// The error code a provider answers when it fails for no reason of the caller's: what a
    /// random `fail` rate answers (``FaultRates/fail``).
    public var systemErrorCode: String {
        switch self {
        case .wechat, .sms, .operator, .bank: "SYSTEM_ERROR"
        case .alipay: "ACQ.SYSTEM_ERROR"
        }
    }
}
