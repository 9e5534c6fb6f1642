/// The language of user-facing texts (R-N2: Chinese by default, English on request).
///
/// Foundation's `Locale` is not available to the domain (no Foundation here), and the service
/// needs only two languages, so this is a closed enum.
public enum RefundLocale: Sendable, Hashable, CaseIterable {
    /// Simplified Chinese, the default (R-N2).
    case zhCN
    /// English.
    case en

    /// Reads a language tag as the wire carries it (`GetPolicyRequest.locale`, `PreCheckRequest.locale`, …).
    ///
    /// `"en"`, `"en-US"`, `"en_GB"` (any case) mean English; everything else, including the empty
    /// string and unknown tags, means Chinese, the default.
    public init(tag: String) {
        let lowered = tag.lowercased()
        if lowered == "en" || lowered.hasPrefix("en-") || lowered.hasPrefix("en_") {
            self = .en
        } else {
            self = .zhCN
        }
    }

    /// The tag published with texts in this language: `"zh-CN"` or `"en"`.
    public var tag: String {
        switch self {
        case .zhCN: "zh-CN"
        case .en: "en"
        }
    }
}
