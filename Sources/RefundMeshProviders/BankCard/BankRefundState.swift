/// ACCEPTED (money on its way, 3-5 working days, R-C3), SETTLED (arrived), RETURNED (the card
/// issuer sent it back after acceptance — a reversal, R-C8). Extensible.
public struct BankRefundState: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let accepted = BankRefundState(rawValue: "ACCEPTED")
    public static let settled = BankRefundState(rawValue: "SETTLED")
    public static let returned = BankRefundState(rawValue: "RETURNED")

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
