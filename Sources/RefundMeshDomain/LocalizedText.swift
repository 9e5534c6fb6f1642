/// One user-facing sentence in every language the service speaks (R-N2).
///
/// Rules return both languages, so a service can store the decision once and show it in the
/// language each reader asks for later (R-T2: the timeline is read long after the decision).
public struct LocalizedText: Sendable, Hashable {
    /// The Simplified Chinese text.
    public var zhCN: String
    /// The English text.
    public var en: String

    public init(zhCN: String, en: String) {
        self.zhCN = zhCN
        self.en = en
    }

    /// The text in `locale`.
    public func text(_ locale: RefundLocale = .zhCN) -> String {
        switch locale {
        case .zhCN: zhCN
        case .en: en
        }
    }
}
