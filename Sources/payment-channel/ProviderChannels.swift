import AsyncHTTPClient
import Logging
import PaymentChannelService
import RefundMeshAPI
import RefundMeshProviders

/// Which channels talk to a real provider (or to `provider-sandbox` over HTTP) and which stay in
/// the in-process sandbox: a channel is real when its provider's address is set —
/// `WECHATPAY_BASE_URL`, `ALIPAY_GATEWAY_URL`, `BANK_BASE_URL` — and then every other setting of
/// that provider is required (``WeChatPayConfiguration``, ``AlipayConfiguration``,
/// ``BankCardConfiguration`` name the missing one).
struct ProviderChannels {
    var wechat: WeChatPayConfiguration?
    var alipay: AlipayConfiguration?
    var bank: BankCardConfiguration?

    /// - Throws: ``ProviderConfigurationError`` naming the variable that is missing or unusable.
    init(environment: [String: String]) throws {
        func isSet(_ name: String) -> Bool { !(environment[name] ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
        wechat = isSet("WECHATPAY_BASE_URL") ? try WeChatPayConfiguration(environment: environment) : nil
        alipay = isSet("ALIPAY_GATEWAY_URL") ? try AlipayConfiguration(environment: environment) : nil
        bank = isSet("BANK_BASE_URL") ? try BankCardConfiguration(environment: environment) : nil
    }

    /// Whether any channel is real (then the notification endpoint runs).
    var anyReal: Bool { wechat != nil || alipay != nil || bank != nil }

    /// The clients of the real channels, on one shared `HTTPClient`.
    func clients(
        httpClient: HTTPClient,
        logger: Logger
    ) -> (wechat: WeChatPayClient?, alipay: AlipayClient?, bank: BankCardClient?) {
        (
            wechat.map { WeChatPayClient(configuration: $0, httpClient: httpClient, logger: logger) },
            alipay.map { AlipayClient(configuration: $0, httpClient: httpClient, logger: logger) },
            bank.map { BankCardClient(configuration: $0, httpClient: httpClient, logger: logger) }
        )
    }

    /// One adapter per method (R-C1): the real one where configured, else `simulated`.
    static func adapters(
        wechat: WeChatPayClient?,
        alipay: AlipayClient?,
        bank: BankCardClient?,
        simulated: any ChannelAdapter,
        logger: Logger
    ) -> ChannelAdapters {
        ChannelAdapters([
            .wechatPay: wechat.map { WeChatPayChannelAdapter(client: $0, logger: logger) } ?? simulated,
            .alipay: alipay.map { AlipayChannelAdapter(client: $0, logger: logger) } ?? simulated,
            .bankCard: bank.map { BankCardChannelAdapter(client: $0, logger: logger) } ?? simulated,
        ])
    }

    /// For the start-up log: `wechat=real(https://…) alipay=simulated …`.
    var summary: (real: [String], simulated: [String]) {
        var real: [String] = []
        var simulated: [String] = []
        if let wechat { real.append("wechatpay (\(wechat.baseURL))") } else { simulated.append("wechatpay") }
        if let alipay { real.append("alipay (\(alipay.gatewayURL))") } else { simulated.append("alipay") }
        if let bank { real.append("bank (\(bank.baseURL))") } else { simulated.append("bank") }
        return (real, simulated)
    }
}
