import RefundMeshAPI
import RefundMeshDomain

/// The adapter of each payment method (R-C1: a refund goes back the way the money came, so each
/// method has its provider). payment-channel looks adapters up here and nowhere else.
public struct ChannelAdapters: Sendable {
    private let adapters: [PaymentMethod: any ChannelAdapter]

    /// One adapter per method; the balance needs none (it is our own ledger).
    public init(_ adapters: [PaymentMethod: any ChannelAdapter]) {
        self.adapters = adapters
    }

    /// The same adapter for WeChat Pay, Alipay and bank cards (the in-process sandbox).
    public init(all adapter: any ChannelAdapter) {
        self.init([.wechatPay: adapter, .alipay: adapter, .bankCard: adapter])
    }

    /// The methods that have an adapter.
    public var methods: [PaymentMethod] { adapters.keys.sorted { $0.rawValue < $1.rawValue } }

    /// The adapter for `method`.
    /// - Throws: ``PaymentChannelError`` `.refused` when none is configured.
    public func adapter(for method: PaymentMethod) throws(PaymentChannelError) -> any ChannelAdapter {
        guard let adapter = adapters[method] else {
            throw .refused(
                "no channel adapter is configured for payment method \(RefundText.paymentMethod(method).en); configure"
                    + " one in payment-channel (R-C1)"
            )
        }
        return adapter
    }
}
