/// A provider setting that is missing or unusable, naming the environment variable.
public struct ProviderConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The environment variable (e.g. `WECHATPAY_MCHID`).
    public var variable: String
    /// What is wrong and how to fix it.
    public var message: String

    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    public var description: String { "\(variable): \(message)" }
}
