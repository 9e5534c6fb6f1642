/// The rule that decided something, with the sentence a person reads about it.
///
/// The text already cites the rule (for example "refund window closed on 2026-11-20 (R-A4): …"),
/// so it can be shown alone; ``rule`` is kept separately so services can store and filter by it
/// (`PreCheckResponse.rule`, `TimelineEntry.rule`).
public struct RuleReason: Sendable, Hashable {
    /// The deciding rule.
    public var rule: RuleID
    /// Why, in every language.
    public var text: LocalizedText

    public init(rule: RuleID, text: LocalizedText) {
        self.rule = rule
        self.text = text
    }

    /// The sentence in `locale`.
    public func message(_ locale: RefundLocale = .zhCN) -> String {
        text.text(locale)
    }
}
