/// Preferences that cannot be stored, naming the field and what to do about it.
public struct PreferencesError: Error, Equatable, CustomStringConvertible {
    /// The request field, e.g. `phone`.
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { message }
}
