/// A key file that could not be read or holds no usable key.
public struct ProviderKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What is wrong with it.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "key file \(path) \(reason)" }
}
