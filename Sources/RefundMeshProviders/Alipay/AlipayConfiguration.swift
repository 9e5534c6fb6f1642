import _CryptoExtras

/// Settings for ``AlipayClient``. Pointing at the real Alipay gateway is a change of these settings only.
public struct AlipayConfiguration: Sendable {
    /// `ALIPAY_GATEWAY_URL`, default `https://openapi.alipay.com/gateway.do`.
    public var gatewayURL: String
    /// `ALIPAY_APP_ID`.
    public var appID: String
    /// `ALIPAY_APP_PRIVATE_KEY_FILE`: the app's private key (signs requests, RSA2).
    public var appPrivateKey: _RSA.Signing.PrivateKey
    /// `ALIPAY_PUBLIC_KEY_FILE`: Alipay's public key (verifies responses and notifications).
    public var alipayPublicKey: _RSA.Signing.PublicKey
    /// `ALIPAY_NOTIFY_URL` (optional): sent as the `notify_url` common parameter.
    public var notifyURL: String?
    /// `ALIPAY_TIMEOUT_MS`, default 10000.
    public var timeout: Duration
    /// `ALIPAY_CLOCK_SKEW_MS`, default 300000 (5 min): accepted skew of request timestamps (server half).
    public var allowedClockSkew: Duration

    public init(
        gatewayURL: String = "https://openapi.alipay.com/gateway.do",
        appID: String,
        appPrivateKey: _RSA.Signing.PrivateKey,
        alipayPublicKey: _RSA.Signing.PublicKey,
        notifyURL: String? = nil,
        timeout: Duration = .seconds(10),
        allowedClockSkew: Duration = .seconds(300)
    ) {
        self.gatewayURL = gatewayURL
        self.appID = appID
        self.appPrivateKey = appPrivateKey
        self.alipayPublicKey = alipayPublicKey
        self.notifyURL = notifyURL
        self.timeout = timeout
        self.allowedClockSkew = allowedClockSkew
    }

    /// Reads the `ALIPAY_*` settings and loads the key files they name.
    /// - Throws: ``ProviderConfigurationError`` naming the variable that is missing or unusable.
    public init(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment: environment)
        self.init(
            gatewayURL: try reader.url("ALIPAY_GATEWAY_URL", default: "https://openapi.alipay.com/gateway.do"),
            appID: try reader.required("ALIPAY_APP_ID"),
            appPrivateKey: try reader.rsaPrivateKey("ALIPAY_APP_PRIVATE_KEY_FILE"),
            alipayPublicKey: try reader.rsaPublicKey("ALIPAY_PUBLIC_KEY_FILE"),
            notifyURL: try reader.optional("ALIPAY_NOTIFY_URL").map { _ in try reader.url("ALIPAY_NOTIFY_URL") },
            timeout: try reader.milliseconds("ALIPAY_TIMEOUT_MS", default: .seconds(10)),
            allowedClockSkew: try reader.milliseconds("ALIPAY_CLOCK_SKEW_MS", default: .seconds(300))
        )
    }
}
