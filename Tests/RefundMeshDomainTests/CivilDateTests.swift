import RefundMeshDomain
import Testing

@Suite("CivilDate: days-from-civil by hand")
struct CivilDateTests {
    @Test("known dates map to their day numbers and weekdays")
    func knownDates() throws {
        let cases: [(String, Int64, Int)] = [
            ("1970-01-01", 0, 4), ("1969-12-31", -1, 3), ("2000-02-29", 11_016, 2),
            ("2026-11-05", 20_762, 4), ("2026-10-10", 20_736, 6), ("2026-10-11", 20_737, 7),
        ]
        for (text, days, weekday) in cases {
            let date = try #require(CivilDate(parsing: text))
            #expect(date.daysSinceEpoch == days, "\(text)")
            #expect(date.isoWeekday == weekday, "\(text)")
            #expect(CivilDate(daysSinceEpoch: days) == date)
            #expect(date.description == text)
        }
    }

    @Test("round trip over 800 years of days")
    func roundTrip() {
        var day: Int64 = -146_097
        while day < 146_097 {
            #expect(CivilDate(daysSinceEpoch: day).daysSinceEpoch == day)
            day += 37
        }
    }

    @Test("malformed and non-existent dates are refused")
    func refused() {
        for text in ["2026-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026/01/01", "2026-01-0a", "", "2024-02-30"]
        {
            #expect(CivilDate(parsing: text) == nil, "\(text)")
        }
        #expect(CivilDate(parsing: "2024-02-29") != nil)
    }
}
