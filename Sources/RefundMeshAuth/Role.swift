/// What a caller may do, as named in its token's `roles` claim.
///
/// The four services act as themselves (a service role is the service's name); people and the
/// platform act through the roles below. A role counts only if the key that signed the token
/// may grant it (``TrustedKey/grants``), so a service's key cannot make anyone an operator.
public struct Role: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The shop's platform back end: feeds orders, payments and fulfilment facts.
    public static let platform = Role("platform")
    /// An end user, acting through the platform's front end, on their own orders and refunds only.
    public static let user = Role("user")
    /// A person on the review team (R-R1…R-R4): works the queue and decides cases.
    public static let reviewer = Role("reviewer")
    /// A person running the mesh: operations, reconciliation, evidence, dead letters.
    public static let `operator` = Role("operator")

    public static let intake = Role("intake")
    public static let review = Role("review")
    public static let paymentChannel = Role("payment-channel")
    public static let notification = Role("notification")

    /// The roles services act in, one per service.
    public static let services: [Role] = [.intake, .review, .paymentChannel, .notification]
    /// Every role RefundMesh knows, in the order the authorization table lists them.
    public static let all: [Role] = [.platform, .user, .reviewer, .operator] + services
}
