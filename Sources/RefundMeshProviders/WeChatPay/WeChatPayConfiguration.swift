import Crypto
import _CryptoExtras

/// Settings for ``WeChatPayClient``: the merchant's identity and keys, WeChat Pay's platform key,
/// and where to send requests. Pointing at the real WeChat Pay is a change of these settings only.
public struct WeChatPayConfiguration: Sendable {
    /// `WECHATPAY_BASE_URL`, default `https://api.mch.weixin.qq.com`.
    public var baseURL: String
    /// `WECHATPAY_MCHID`: the merchant id (mchid).
    public var merchantID: String
    /// `WECHATPAY_MERCHANT_SERIAL` (or `_FILE`): serial of the merchant API certificate.
    public var merchantSerial: String
    /// `WECHATPAY_MERCHANT_KEY_FILE`: the merchant API private key (signs requests).
    public var merchantPrivateKey: _RSA.Signing.PrivateKey
    /// `WECHATPAY_PLATFORM_SERIAL` (or `_FILE`): serial of WeChat Pay's platform certificate/public key.
    public var platformSerial: String
    /// `WECHATPAY_PLATFORM_PUBLIC_KEY_FILE`: verifies responses and notifications.
    public var platformPublicKey: _RSA.Signing.PublicKey
    /// `WECHATPAY_APIV3_KEY_FILE`: the 32-character APIv3 key decrypting notification resources.
    public var apiV3Key: SecretKey
    /// `WECHATPAY_NOTIFY_URL`: where WeChat Pay posts refund notifications.
    public var notifyURL: String
    /// `WECHATPAY_TIMEOUT_MS`, default 10000: the whole request, connect to last byte.
    public var timeout: Duration
    /// `WECHATPAY_CLOCK_SKEW_MS`, default 300000 (5 min): accepted timestamp skew (replay protection).
    public var allowedClockSkew: Duration

    public init(
        baseURL: String = "https://api.mch.weixin.qq.com",
        merchantID: String,
        merchantSerial: String,
        merchantPrivateKey: _RSA.Signing.PrivateKey,
        platformSerial: String,
        platformPublicKey: _RSA.Signing.PublicKey,
        apiV3Key: SecretKey,
        notifyURL: String,
        timeout: Duration = .seconds(10),
        allowedClockSkew: Duration = .seconds(300)
    ) {
        self.baseURL = baseURL
        self.merchantID = merchantID
        self.merchantSerial = merchantSerial
        self.merchantPrivateKey = merchantPrivateKey
        self.platformSerial = platformSerial
        self.platformPublicKey = platformPublicKey
        self.apiV3Key = apiV3Key
        self.notifyURL = notifyURL
        self.timeout = timeout
        self.allowedClockSkew = allowedClockSkew
    }

    /// Reads the `WECHATPAY_*` settings and loads the key files they name.
    /// - Throws: ``ProviderConfigurationError`` naming the variable that is missing or unusable.
    public init(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment: environment)
        self.init(
            baseURL: try reader.url("WECHATPAY_BASE_URL", default: "https://api.mch.weixin.qq.com"),
            merchantID: try reader.required("WECHATPAY_MCHID"),
            merchantSerial: try reader.valueOrFile("WECHATPAY_MERCHANT_SERIAL"),
            merchantPrivateKey: try reader.rsaPrivateKey("WECHATPAY_MERCHANT_KEY_FILE"),
            platformSerial: try reader.valueOrFile("WECHATPAY_PLATFORM_SERIAL"),
            platformPublicKey: try reader.rsaPublicKey("WECHATPAY_PLATFORM_PUBLIC_KEY_FILE"),
            apiV3Key: try reader.apiV3Key("WECHATPAY_APIV3_KEY_FILE"),
            notifyURL: try reader.url("WECHATPAY_NOTIFY_URL"),
            timeout: try reader.milliseconds("WECHATPAY_TIMEOUT_MS", default: .seconds(10)),
            allowedClockSkew: try reader.milliseconds("WECHATPAY_CLOCK_SKEW_MS", default: .seconds(300))
        )
    }
}
