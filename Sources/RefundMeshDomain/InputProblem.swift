/// What is wrong with a request's fields, found by ``InputCheck`` before anything is stored.
///
/// Services answer it as INVALID_ARGUMENT with ``message``: every problem of the request at once,
/// each naming its field, what was given and what is accepted, so one correction fixes them all.
public struct InputProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem; extensible without a breaking change.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        /// A field is missing, malformed or outside its limits (docs/VALIDATION.md).
        public static let invalidField = Code(rawValue: "invalidField")

        public var description: String { rawValue }
    }

    public var code: Code
    /// What was checked, e.g. "the order" or "SubmitRefund".
    public var subject: String
    /// One sentence per problem, each naming its field (`price_fen must be above 0 (got -1)`).
    public var problems: [String]

    public init(code: Code = .invalidField, subject: String, problems: [String]) {
        self.code = code
        self.subject = subject
        self.problems = problems
    }

    /// For a person: "the order is not valid: price_fen must be above 0 (got -1); paid_at_ms …".
    public var message: String {
        "\(subject) is not valid: " + problems.joined(separator: "; ")
    }

    public var description: String { "\(code): \(message)" }
}
