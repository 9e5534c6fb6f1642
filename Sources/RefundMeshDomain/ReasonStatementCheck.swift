/// Tells a specific reason statement from a vague one (R-A5: "not vague like 'didn't use it'").
///
/// The test is a heuristic a person can predict: known vague phrases (in Chinese and English)
/// and English filler words are removed, and what is left must weigh at least
/// ``minimumLength``. Whitespace and punctuation weigh nothing, a Chinese character (CJK
/// ideograph) weighs 2 because one carries about as much as a short English word, and every
/// other character weighs 1. So "没用", "商品没用，不想要了" and "I just don't want it anymore" are
/// vague, while "充值未到账" (10) and "recharge failed" (14) are specific enough.
public struct ReasonStatementCheck: Sendable, Hashable {
    /// The least weight a statement must keep after vague phrases and fillers are removed.
    public let minimumLength: Int
    /// Phrases that say nothing about why (lowercase; matched anywhere, case-insensitively).
    public let vaguePhrases: [String]
    /// English words that carry no reason on their own; removed when they stand as whole words.
    public let fillerWords: Set<String>

    /// The default minimum weight.
    public static let defaultMinimumLength = 8
    /// The allowed range of ``minimumLength`` (`REFUND_REASON_MIN_LENGTH`).
    public static let allowedMinimumLength: ClosedRange<Int> = 1...200

    /// The default vague phrases: the seed's "商品没用" and DOMAIN.md's "didn't use it", and their kin.
    public static let defaultVaguePhrases: [String] = [
        "商品没用", "没有用", "没用", "不想要了", "不想要", "不要了", "不需要了", "不需要", "用不上", "不想用了",
        "就是想退", "我要退款", "申请退款", "退款", "退钱", "没什么原因", "没有原因",
        "didn't use it", "did not use it", "didnt use it", "haven't used it", "not used", "unused",
        "don't want it", "do not want it", "dont want it", "no longer want it", "don't need it",
        "do not need it", "not needed", "no longer needed", "changed my mind", "i want a refund",
        "please refund", "refund please", "refund", "money back", "no reason",
    ]

    /// The default filler words.
    public static let defaultFillerWords: Set<String> = [
        "a", "an", "the", "i", "me", "my", "it", "this", "that", "just", "really", "very", "so",
        "anymore", "any", "more", "please", "want", "thanks", "thank", "you", "is", "was", "and",
        "because", "of", "to", "for", "ok", "okay",
    ]

    public init(
        minimumLength: Int = ReasonStatementCheck.defaultMinimumLength,
        vaguePhrases: [String] = ReasonStatementCheck.defaultVaguePhrases,
        fillerWords: Set<String> = ReasonStatementCheck.defaultFillerWords
    ) {
        self.minimumLength = minimumLength
        // Longest first, so "商品没用" goes before its part "没用" and "refund please" before "refund".
        self.vaguePhrases = vaguePhrases.map { Self.normalized($0) }.filter { !$0.isEmpty }
            .sorted { $0.count > $1.count }
        self.fillerWords = Set(fillerWords.map { $0.lowercased() })
    }

    /// Whether `statement` is too vague to act on (R-A5).
    public func isVague(_ statement: String) -> Bool {
        weight(of: statement) < minimumLength
    }

    /// What is left of `statement` once vague phrases and fillers are removed, weighed as described
    /// in the type's documentation.
    public func weight(of statement: String) -> Int {
        let text = Self.removing(vaguePhrases, from: Self.normalized(statement))
        var total = 0
        var word = ""
        func endWord() {
            if !word.isEmpty && !fillerWords.contains(word) { total += word.count }
            word = ""
        }
        for character in text {
            if character.isWhitespace || character.isPunctuation || character.isSymbol {
                endWord()
            } else if character.unicodeScalars.contains(where: { $0.properties.isIdeographic }) {
                endWord()
                total += 2
            } else {
                word.append(character)
            }
        }
        endWord()
        return total
    }

    /// `text` with every occurrence of each phrase (in order) replaced by a space.
    ///
    /// Matched on UTF-8 bytes, not with `String.replacing`: that compares by Unicode canonical
    /// equivalence and took about 140 µs for a two-sentence statement against the 38 default
    /// phrases, a few percent of all of intake's work. Phrases and text are both whole UTF-8
    /// scalars, so a match never starts or ends inside a character's bytes.
    static func removing(_ phrases: [String], from text: String) -> String {
        var bytes = Array(text.utf8)
        for phrase in phrases {
            let needle = Array(phrase.utf8)
            guard let first = needle.first, needle.count <= bytes.count else { continue }
            var result: [UInt8] = []
            var index = 0
            var found = false
            while index < bytes.count {
                if bytes[index] == first, index + needle.count <= bytes.count,
                    bytes[index..<(index + needle.count)].elementsEqual(needle)
                {
                    if !found {
                        found = true
                        result.reserveCapacity(bytes.count)
                        result.append(contentsOf: bytes[..<index])
                    }
                    result.append(UInt8(ascii: " "))
                    index += needle.count
                } else {
                    if found { result.append(bytes[index]) }
                    index += 1
                }
            }
            if found { bytes = result }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Lowercased, with typographic apostrophes made plain so "didn’t" matches "didn't".
    private static func normalized(_ text: String) -> String {
        String(text.lowercased().map { $0 == "\u{2019}" || $0 == "\u{2018}" ? "'" : $0 })
    }
}
