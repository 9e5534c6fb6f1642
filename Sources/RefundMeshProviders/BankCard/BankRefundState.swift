/// ACCEPTED (money on its way, 3-5 working days, R-C3), SETTLED (arrived), RETURNED (the card
/// issuer sent it back after acceptance — a reversal, R-C8). Extensible.
/// Coded as the bare string by the standard library's `RawRepresentable` `Codable` defaults
/// (`init(rawValue:)` never fails, so any value decodes).
public struct BankRefundState: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let accepted = BankRefundState(rawValue: "ACCEPTED")
    public static let settled = BankRefundState(rawValue: "SETTLED")
    public static let returned = BankRefundState(rawValue: "RETURNED")

    public var description: String { rawValue }
}
