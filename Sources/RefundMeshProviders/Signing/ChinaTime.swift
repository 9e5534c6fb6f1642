/// China Standard Time (UTC+8, no daylight saving) formatting, as WeChat Pay and Alipay write times,
/// with integer civil-date arithmetic (no locale or time zone database involved).
enum ChinaTime {
    static let offsetSeconds: Int64 = 8 * 3600

    /// "yyyy-MM-dd HH:mm:ss" in UTC+8 (Alipay's `timestamp`, `notify_time`, `gmt_refund`).
    static func alipayTimestamp(unixSeconds: Int64) -> String {
        let (date, time) = civil(unixSeconds + offsetSeconds)
        return "\(date) \(time)"
    }

    /// RFC 3339 with +08:00 (WeChat's `create_time`, `success_time`).
    static func rfc3339(unixSeconds: Int64) -> String {
        let (date, time) = civil(unixSeconds + offsetSeconds)
        return "\(date)T\(time)+08:00"
    }

    /// Parses "yyyy-MM-dd HH:mm:ss" in UTC+8 to Unix seconds; nil when malformed.
    static func parseAlipayTimestamp(_ text: String) -> Int64? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 19, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
            utf8[10] == UInt8(ascii: " "), utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in utf8[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds
    }

    private static func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func civil(_ seconds: Int64) -> (date: String, time: String) {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        let (year, month, day) = civilFromDays(days)
        let date = "\(year)-\(two(month))-\(two(day))"
        let time = "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        return (date, time)
    }

    /// Howard Hinnant's `civil_from_days`.
    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Howard Hinnant's `days_from_civil`.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
