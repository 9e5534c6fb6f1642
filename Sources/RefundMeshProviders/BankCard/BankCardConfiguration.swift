import Crypto

/// Settings for ``BankCardClient``.
public struct BankCardConfiguration: Sendable {
    /// `BANK_BASE_URL` (required; no public default).
    public var baseURL: String
    /// `BANK_MERCHANT_ID`: sent as `X-Bank-Merchant` and `merchant_id`.
    public var merchantID: String
    /// `BANK_HMAC_KEY_FILE`: the shared HMAC-SHA256 key.
    public var hmacKey: SecretKey
    /// `BANK_NOTIFY_URL` (optional): where the bank posts notifications (registered with the bank).
    public var notifyURL: String?
    /// `BANK_TIMEOUT_MS`, default 10000.
    public var timeout: Duration
    /// `BANK_CLOCK_SKEW_MS`, default 300000 (5 min).
    public var allowedClockSkew: Duration

    public init(
        baseURL: String,
        merchantID: String,
        hmacKey: SecretKey,
        notifyURL: String? = nil,
        timeout: Duration = .seconds(10),
        allowedClockSkew: Duration = .seconds(300)
    ) {
        self.baseURL = baseURL
        self.merchantID = merchantID
        self.hmacKey = hmacKey
        self.notifyURL = notifyURL
        self.timeout = timeout
        self.allowedClockSkew = allowedClockSkew
    }

    /// Reads the `BANK_*` settings.
    /// - Throws: ``ProviderConfigurationError`` naming the variable that is missing or unusable.
    public init(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment: environment)
        self.init(
            baseURL: try reader.url("BANK_BASE_URL"),
            merchantID: try reader.required("BANK_MERCHANT_ID"),
            hmacKey: try reader.hmacKey("BANK_HMAC_KEY_FILE"),
            notifyURL: try reader.optional("BANK_NOTIFY_URL").map { _ in try reader.url("BANK_NOTIFY_URL") },
            timeout: try reader.milliseconds("BANK_TIMEOUT_MS", default: .seconds(10)),
            allowedClockSkew: try reader.milliseconds("BANK_CLOCK_SKEW_MS", default: .seconds(300))
        )
    }
}
