/// CREDITED, FAILED, PENDING or UNKNOWN. Extensible: any other value decodes and is kept.
/// Coded as the bare string by the standard library's `RawRepresentable` `Codable` defaults
/// (`init(rawValue:)` never fails, so any value decodes).
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

    public var description: String { rawValue }
}
