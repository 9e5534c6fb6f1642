import Crypto

/// Settings for ``GameOperatorClient`` (R-R2).
public struct GameOperatorConfiguration: Sendable {
    /// `OPERATOR_BASE_URL` (required).
    public var baseURL: String
    /// `OPERATOR_CLIENT_ID`: sent as `X-Operator-Client`.
    public var clientID: String
    /// `OPERATOR_HMAC_KEY_FILE`: the shared HMAC-SHA256 key.
    public var hmacKey: SecretKey
    /// `OPERATOR_TIMEOUT_MS`, default 5000.
    public var timeout: Duration
    /// `OPERATOR_CLOCK_SKEW_MS`, default 300000 (5 min).
    public var allowedClockSkew: Duration

    public init(
        baseURL: String,
        clientID: String,
        hmacKey: SecretKey,
        timeout: Duration = .seconds(5),
        allowedClockSkew: Duration = .seconds(300)
    ) {
        self.baseURL = baseURL
        self.clientID = clientID
        self.hmacKey = hmacKey
        self.timeout = timeout
        self.allowedClockSkew = allowedClockSkew
    }

    /// Reads the `OPERATOR_*` settings.
    /// - Throws: ``ProviderConfigurationError`` naming the variable that is missing or unusable.
    public init(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment: environment)
        self.init(
            baseURL: try reader.url("OPERATOR_BASE_URL"),
            clientID: try reader.required("OPERATOR_CLIENT_ID"),
            hmacKey: try reader.hmacKey("OPERATOR_HMAC_KEY_FILE"),
            timeout: try reader.milliseconds("OPERATOR_TIMEOUT_MS", default: .seconds(5)),
            allowedClockSkew: try reader.milliseconds("OPERATOR_CLOCK_SKEW_MS", default: .seconds(300))
        )
    }
}
