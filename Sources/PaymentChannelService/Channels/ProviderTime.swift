import RefundMeshDomain

/// Reads the times providers write into answers, notifications and bills as Unix milliseconds:
/// WeChat Pay's RFC 3339 (`2026-11-25T10:00:00+08:00`), Alipay's `2026-11-25 10:00:00` (China
/// time, UTC+8, as Alipay documents), or a plain number of milliseconds (the bank).
package enum ProviderTime {
    /// China Standard Time, the zone of times that carry none (Alipay).
    package static let chinaOffsetMs: Int64 = 8 * 3_600_000

    /// The instant `text` names, or nil when it is not one of the forms above.
    package static func milliseconds(_ text: String?) -> Int64? {
        guard let text = text?.trimmingPrefix("`"), !text.isEmpty else { return nil }
        if text.allSatisfy({ $0.isASCII && $0.isNumber }) { return Int64(text) }
        let characters = Array(text.utf8)
        guard characters.count >= 19, characters[10] == UInt8(ascii: "T") || characters[10] == UInt8(ascii: " "),
            let date = CivilDate(parsing: text.prefix(10))
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= characters.count else { return nil }
            var value: Int64 = 0
            for byte in characters[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard characters[13] == UInt8(ascii: ":"), characters[16] == UInt8(ascii: ":"),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            hour < 24, minute < 60, second < 61
        else { return nil }
        // Skip fractional seconds, then read the zone: none (China time), `Z`, or `±HH:MM`.
        var index = 19
        if index < characters.count, characters[index] == UInt8(ascii: ".") {
            index += 1
            while index < characters.count, characters[index] >= UInt8(ascii: "0"),
                characters[index] <= UInt8(ascii: "9")
            {
                index += 1
            }
        }
        let offsetMs: Int64
        if index == characters.count {
            offsetMs = chinaOffsetMs
        } else if characters[index] == UInt8(ascii: "Z"), index + 1 == characters.count {
            offsetMs = 0
        } else if characters[index] == UInt8(ascii: "+") || characters[index] == UInt8(ascii: "-"),
            index + 6 == characters.count, characters[index + 3] == UInt8(ascii: ":"),
            let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6)
        {
            let sign: Int64 = characters[index] == UInt8(ascii: "+") ? 1 : -1
            offsetMs = sign * (hours * 3_600_000 + minutes * 60_000)
        } else {
            return nil
        }
        let local = date.daysSinceEpoch * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000
        return local - offsetMs
    }

    /// A provider bill's date (`YYYY-MM-DD`) for a day of the shop's calendar.
    package static func billDate(_ day: CivilDate) -> String { day.description }
}
