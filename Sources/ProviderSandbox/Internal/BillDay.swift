/// A bill's day, `YYYY-MM-DD` in China time (UTC+8), as providers cut their bills.
struct BillDay: Sendable {
    /// Unix milliseconds at 00:00 China time.
    let startMs: Int64

    init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2]), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        startMs = (Self.daysFromCivil(year: year, month: month, day: day) * 86_400 - 8 * 3_600) * 1000
    }

    func contains(_ milliseconds: Int64) -> Bool {
        milliseconds >= startMs && milliseconds < startMs + 86_400_000
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
