/// Exact conversion between CNY fen (Int64, how RefundMesh holds money) and Alipay's yuan strings
/// ("12.34"), with integer arithmetic only — never `Double`.
public enum YuanAmount {
    /// Parses a yuan amount as Alipay writes it: digits, optionally a dot and one or two decimals.
    ///
    /// Accepts "12", "12.3", "12.34", "0.01"; rejects empty strings, signs, exponents, spaces,
    /// more than two decimals, a leading or trailing dot and values that overflow Int64 fen.
    /// - Parameter text: the yuan string.
    /// - Parameter field: the field name for the error message (e.g. `refund_fee`).
    /// - Throws: ``AmountError`` naming the field and the text.
    public static func fen(fromYuan text: String, field: String = "amount") throws(AmountError) -> Int64 {
        let utf8 = Array(text.utf8)
        let dot = UInt8(ascii: ".")
        let parts = utf8.split(separator: dot, omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else {
            throw AmountError(field: field, text: text, reason: "more than one decimal point")
        }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : []
        guard !whole.isEmpty else { throw AmountError(field: field, text: text, reason: "no digits before the point") }
        if parts.count == 2 && fraction.isEmpty {
            throw AmountError(field: field, text: text, reason: "no digits after the point")
        }
        guard fraction.count <= 2 else {
            throw AmountError(field: field, text: text, reason: "more than two decimals (fen is the smallest unit)")
        }
        guard (whole + fraction).allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw AmountError(field: field, text: text, reason: "only digits and one '.' are allowed")
        }
        var yuan: Int64 = 0
        for digit in whole {
            let (times10, overflow1) = yuan.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw AmountError(field: field, text: text, reason: "too large") }
            yuan = sum
        }
        var cents: Int64 = 0
        for (index, digit) in fraction.enumerated() {
            cents += Int64(digit - UInt8(ascii: "0")) * (index == 0 ? 10 : 1)
        }
        let (fenWhole, overflow3) = yuan.multipliedReportingOverflow(by: 100)
        let (total, overflow4) = fenWhole.addingReportingOverflow(cents)
        guard !overflow3, !overflow4 else { throw AmountError(field: field, text: text, reason: "too large") }
        return total
    }

    /// Writes fen as a yuan string with exactly two decimals: 1234 → "12.34", 5 → "0.05".
    /// Negative amounts get a leading "-" (providers never see them; refunds are positive).
    public static func yuanString(fen: Int64) -> String {
        let negative = fen < 0
        let magnitude = fen.magnitude
        let whole = magnitude / 100
        let cents = magnitude % 100
        return (negative ? "-" : "") + "\(whole)." + (cents < 10 ? "0" : "") + "\(cents)"
    }
}

/// A money amount on the wire that is not a valid CNY amount.
public struct AmountError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field that held it (e.g. `refund_amount`).
    public var field: String
    /// The text as received.
    public var text: String
    /// Why it was rejected.
    public var reason: String

    public init(field: String, text: String, reason: String) {
        self.field = field
        self.text = text
        self.reason = reason
    }

    public var description: String { "\(field) \"\(text)\" is not a yuan amount: \(reason)" }
}
