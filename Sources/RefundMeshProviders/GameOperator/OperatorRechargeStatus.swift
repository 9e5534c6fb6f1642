/// CREDITED, FAILED, PENDING or UNKNOWN. Extensible: any other value decodes and is kept.
public struct OperatorRechargeStatus: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The credit reached the game account: not refundable (R-R2).
    public static let credited = OperatorRechargeStatus(rawValue: "CREDITED")
    /// The credit definitely failed: refundable (R-R2).
    public static let failed = OperatorRechargeStatus(rawValue: "FAILED")
    /// Still in progress.
    public static let pending = OperatorRechargeStatus(rawValue: "PENDING")
    /// The operator does not know.
    public static let unknown = OperatorRechargeStatus(rawValue: "UNKNOWN")

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
