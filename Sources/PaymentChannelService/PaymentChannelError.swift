/// Why payment-channel refused a request, in words a person can act on.
///
/// Thrown by ``PaymentStore`` and ``RefundTerms``; ``PaymentChannelHandler`` maps each ``Code`` to
/// one RPC status (see `PaymentChannelHandler+Errors.swift`).
public struct PaymentChannelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal; extensible without a breaking change.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        /// The request is malformed (a missing id, a non-positive amount): INVALID_ARGUMENT.
        public static let invalid = Code(rawValue: "invalid")
        /// The payment, order or refund does not exist: NOT_FOUND.
        public static let notFound = Code(rawValue: "notFound")
        /// A payment id is already recorded with other facts: ALREADY_EXISTS.
        public static let conflictingPayment = Code(rawValue: "conflictingPayment")
        /// The refund cannot be executed as asked (R-C5 cap, a changed retry): FAILED_PRECONDITION.
        public static let refused = Code(rawValue: "refused")

        public var description: String { rawValue }
    }

    public var code: Code
    /// A sentence for a person: what was wrong and what to do, citing the rule.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func invalid(_ message: String) -> Self { Self(code: .invalid, message: message) }
    static func notFound(_ message: String) -> Self { Self(code: .notFound, message: message) }
    static func refused(_ message: String) -> Self { Self(code: .refused, message: message) }
}
