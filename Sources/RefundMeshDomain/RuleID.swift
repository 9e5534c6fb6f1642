/// A rule of DOMAIN.md by its stable id, such as `R-A4`.
///
/// Every decision names the rule that made it (R-T2); the id is what gets stored and shown.
/// A struct rather than an enum so that a rule added to DOMAIN.md needs no breaking change.
public struct RuleID: Sendable, Hashable, CustomStringConvertible {
    /// The id as DOMAIN.md writes it, e.g. `"R-A4"`.
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// R-A2: the refundable grounds.
    public static let a2 = RuleID("R-A2")
    /// R-A3: the negative list (not refundable).
    public static let a3 = RuleID("R-A3")
    /// R-A4: the request window.
    public static let a4 = RuleID("R-A4")
    /// R-A5: the materials ("三证一码") and a specific reason statement.
    public static let a5 = RuleID("R-A5")
    /// R-A6: the pre-check.
    public static let a6 = RuleID("R-A6")
    /// R-A7: withdraw-and-resubmit abuse control.
    public static let a7 = RuleID("R-A7")
    /// R-P4: other virtual services are reviewed by people.
    public static let p4 = RuleID("R-P4")
    /// R-R1: card keys, decided by activation.
    public static let r1 = RuleID("R-R1")
    /// R-R2: direct recharges, decided by the provider's confirmation.
    public static let r2 = RuleID("R-R2")
    /// R-R3: platform faults (duplicate charge, not as described).
    public static let r3 = RuleID("R-R3")
    /// R-R4: timing; every case has an SLA due time in working days, breaches escalate.
    public static let r4 = RuleID("R-R4")
    /// R-R5: pro-rated offers for partly used goods.
    public static let r5 = RuleID("R-R5")
    /// R-R6: a reviewer asks for materials; the case waits with its SLA clock stopped.
    public static let r6 = RuleID("R-R6")
    /// R-R7: risk review.
    public static let r7 = RuleID("R-R7")
    /// R-R8: the green channel (elderly users, large amounts).
    public static let r8 = RuleID("R-R8")
    /// R-R10: reviewers are identified; every manual decision records who and why.
    public static let r10 = RuleID("R-R10")
    /// R-C1: refunds go back the way the money came.
    public static let c1 = RuleID("R-C1")
    /// R-C2: channel fees.
    public static let c2 = RuleID("R-C2")
    /// R-C5: never refund more than was captured.
    public static let c5 = RuleID("R-C5")
}
