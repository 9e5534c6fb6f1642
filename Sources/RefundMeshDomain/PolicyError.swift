/// A refund policy setting that cannot be used, named by its environment variable.
///
/// Thrown by ``RefundPolicy/init(environment:)`` and the validating ``RefundPolicy`` initialiser,
/// so that a service refuses to start with a policy the rules do not allow (R-A4's 7-15 days,
/// R-C2's 0.5%-1%) and the operator reads which variable to fix and what it may hold:
/// "REFUND_WINDOW_DAYS_CARD_KEY=30 is outside the allowed range 7...15 (R-A4)".
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong; extensible without a breaking change.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        /// A number outside the range the rules allow.
        public static let outOfRange = Code(rawValue: "outOfRange")
        /// Not a whole number.
        public static let notANumber = Code(rawValue: "notANumber")
        /// Not `true`/`false` (or `1`/`0`, `yes`/`no`).
        public static let notABoolean = Code(rawValue: "notABoolean")
        /// A date that is not `yyyy-MM-dd` or does not exist.
        public static let notADate = Code(rawValue: "notADate")
        /// A list or value that is present but empty where one is needed.
        public static let empty = Code(rawValue: "empty")

        public var description: String { rawValue }
    }

    public var code: Code
    /// The environment variable (the setting's documented name), e.g. `REFUND_WINDOW_DAYS`.
    public var variable: String
    /// The value that was given, as text.
    public var value: String
    /// What the variable may hold, e.g. `7...15`.
    public var allowed: String
    /// The rule that sets the limit, when one does.
    public var rule: RuleID?

    public init(code: Code, variable: String, value: String, allowed: String, rule: RuleID? = nil) {
        self.code = code
        self.variable = variable
        self.value = value
        self.allowed = allowed
        self.rule = rule
    }

    /// For an operator, e.g. "REFUND_FEE_BASIS_POINTS=120 is outside the allowed range 50...100 (R-C2)".
    public var description: String {
        let problem: String
        switch code {
        case .outOfRange: problem = "is outside the allowed range \(allowed)"
        case .notANumber: problem = "is not a whole number; allowed: \(allowed)"
        case .notABoolean: problem = "is not a boolean; allowed: \(allowed)"
        case .notADate: problem = "is not a list of existing yyyy-MM-dd dates; allowed: \(allowed)"
        default: problem = "is not usable; allowed: \(allowed)"
        }
        let cited = rule.map { " (\($0))" } ?? ""
        return "\(variable)=\(value) \(problem)\(cited)"
    }

    /// A number outside `range`.
    public static func outOfRange(
        _ variable: String,
        _ value: Int,
        _ range: ClosedRange<Int>,
        rule: RuleID? = nil
    ) -> PolicyError {
        PolicyError(
            code: .outOfRange,
            variable: variable,
            value: String(value),
            allowed: "\(range.lowerBound)...\(range.upperBound)",
            rule: rule
        )
    }
}
