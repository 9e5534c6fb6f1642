import RefundMeshDomain
import Testing

@Suite("WorkingCalendar (R-C3, R-R4): weekends and holidays do not count")
struct WorkingCalendarTests {
    let friday = Fixtures.cst("2026-11-06", hour: 10)

    @Test("R-C3: Friday plus one working day is Monday, same time of day")
    func acrossWeekend() {
        let calendar = WorkingCalendar()
        #expect(calendar.addingWorkingDays(1, to: friday) == Fixtures.cst("2026-11-09", hour: 10))
        #expect(calendar.addingWorkingDays(5, to: friday) == Fixtures.cst("2026-11-13", hour: 10))
        #expect(calendar.addingWorkingDays(0, to: friday) == friday)
        #expect(calendar.addingWorkingDays(-3, to: friday) == friday)
    }

    @Test("R-C3: Saturday plus one working day is Monday")
    func fromWeekend() {
        let saturday = Fixtures.cst("2026-11-07", hour: 10)
        #expect(WorkingCalendar().addingWorkingDays(1, to: saturday) == Fixtures.cst("2026-11-09", hour: 10))
    }

    @Test("R-C3: the National Day holiday and its make-up Saturday")
    func acrossHoliday() throws {
        let holidays = Set(
            ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"].compactMap {
                CivilDate(parsing: $0)
            }
        )
        let makeUp = Set([try #require(CivilDate(parsing: "2026-10-10"))])
        let calendar = WorkingCalendar(holidays: holidays, makeUpWorkingDays: makeUp)
        let wednesday = Fixtures.cst("2026-09-30", hour: 9)
        // Oct 1-2 holidays, 3-4 weekend, 5-7 holidays: the 8th is the first working day.
        #expect(calendar.addingWorkingDays(1, to: wednesday) == Fixtures.cst("2026-10-08", hour: 9))
        // 8 (Thu), 9 (Fri), 10 (make-up Saturday).
        #expect(calendar.addingWorkingDays(3, to: wednesday) == Fixtures.cst("2026-10-10", hour: 9))
        #expect(calendar.isWorkingDay(try #require(CivilDate(parsing: "2026-10-10"))))
        #expect(!calendar.isWorkingDay(try #require(CivilDate(parsing: "2026-10-11"))))
    }

    @Test("dates are taken in UTC+8 by default; the offset is configurable")
    func timeZone() {
        // 2026-11-05 17:00 UTC is already 2026-11-06 01:00 in China.
        let ms = Fixtures.cst("2026-11-06", hour: 1)
        #expect(WorkingCalendar().format(ms) == "2026-11-06")
        #expect(WorkingCalendar(utcOffsetMinutes: 0).format(ms) == "2026-11-05")
        #expect(WorkingCalendar().format(0) == "1970-01-01")
        #expect(WorkingCalendar(utcOffsetMinutes: -60).format(0) == "1969-12-31")
    }

    @Test("the end of a day is its last millisecond")
    func endOfDay() throws {
        let calendar = WorkingCalendar()
        let date = try #require(CivilDate(parsing: "2026-11-20"))
        #expect(calendar.endOfDay(date) == Fixtures.cst("2026-11-21", hour: 0) - 1)
        #expect(calendar.format(calendar.endOfDay(date)) == "2026-11-20")
    }
}
