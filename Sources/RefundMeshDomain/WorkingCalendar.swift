/// Working days and local dates in the shop's time zone.
///
/// R-C3 (bank card: 3-5 working days) and R-R4 (SLA due times in working days) count working
/// days: Monday to Friday, minus configured public holidays, plus configured make-up working days
/// (调休: in China some Saturdays or Sundays are official working days around a holiday).
///
/// Dates are taken at a fixed offset from UTC, by default UTC+8, China Standard Time: the shop
/// and its users are in China, and China has no daylight saving time, so a fixed offset is exact.
/// Timestamps stay UTC epoch milliseconds everywhere; only the calendar date a person sees (a
/// deadline, a holiday) depends on the offset.
public struct WorkingCalendar: Sendable, Hashable {
    /// China Standard Time, UTC+8, in minutes.
    public static let chinaStandardTimeOffsetMinutes = 480
    /// The offsets a place on Earth uses: UTC-12:00 to UTC+14:00.
    public static let allowedOffsetMinutes: ClosedRange<Int> = -720...840

    static let millisecondsPerDay: Int64 = 86_400_000

    /// The local time's offset from UTC, in minutes (480: UTC+8).
    public let utcOffsetMinutes: Int
    /// Weekdays that are not working days (public holidays).
    public let holidays: Set<CivilDate>
    /// Weekend days that are working days (调休 make-up days).
    public let makeUpWorkingDays: Set<CivilDate>

    /// - Parameters:
    ///   - utcOffsetMinutes: clamped to ``allowedOffsetMinutes``; ``RefundPolicy`` validates it
    ///     with a message before it gets here.
    ///   - holidays: dates that are not working days even on a weekday.
    ///   - makeUpWorkingDays: dates that are working days even on a weekend.
    public init(
        utcOffsetMinutes: Int = WorkingCalendar.chinaStandardTimeOffsetMinutes,
        holidays: Set<CivilDate> = [],
        makeUpWorkingDays: Set<CivilDate> = []
    ) {
        self.utcOffsetMinutes = min(
            max(utcOffsetMinutes, Self.allowedOffsetMinutes.lowerBound),
            Self.allowedOffsetMinutes.upperBound
        )
        self.holidays = holidays
        self.makeUpWorkingDays = makeUpWorkingDays
    }

    private var offsetMs: Int64 { Int64(utcOffsetMinutes) * 60_000 }

    /// The local date at `ms`.
    public func date(at ms: Int64) -> CivilDate {
        CivilDate(daysSinceEpoch: floorDivide(ms.saturatingAdding(offsetMs), Self.millisecondsPerDay))
    }

    /// The first millisecond of `date`, local time, as a UTC timestamp.
    public func startOfDay(_ date: CivilDate) -> Int64 {
        date.daysSinceEpoch.saturatingMultiplied(by: Self.millisecondsPerDay).saturatingAdding(-offsetMs)
    }

    /// The last millisecond of `date`, local time (23:59:59.999), as a UTC timestamp.
    public func endOfDay(_ date: CivilDate) -> Int64 {
        startOfDay(date.adding(days: 1)).saturatingAdding(-1)
    }

    /// Whether `date` counts as a working day: a weekday that is not a holiday, or a make-up day.
    public func isWorkingDay(_ date: CivilDate) -> Bool {
        if makeUpWorkingDays.contains(date) { return true }
        return !date.isWeekend && !holidays.contains(date)
    }

    /// The moment `n` working days after `ms`, at the same local time of day.
    ///
    /// Counting starts with the day after `ms`: Friday 10:00 plus one working day is Monday 10:00,
    /// and Saturday 10:00 plus one is Monday 10:00 as well. `n <= 0` returns `ms` unchanged.
    public func addingWorkingDays(_ n: Int, to ms: Int64) -> Int64 {
        guard n > 0 else { return ms }
        let start = date(at: ms)
        var current = start
        var counted = 0
        while counted < n {
            current = current.adding(days: 1)
            if isWorkingDay(current) { counted += 1 }
        }
        let elapsedDays = current.daysSinceEpoch - start.daysSinceEpoch
        return ms.saturatingAdding(elapsedDays.saturatingMultiplied(by: Self.millisecondsPerDay))
    }

    /// `ms` as the local date, `yyyy-MM-dd`, for messages.
    public func format(_ ms: Int64) -> String {
        date(at: ms).description
    }
}

/// Division rounding toward negative infinity (timestamps before 1970 are negative).
func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
}

extension Int64 {
    /// `self + other`, held at `.min`/`.max` instead of trapping.
    func saturatingAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        if !overflow { return sum }
        return other > 0 ? .max : .min
    }

    /// `self * other`, held at `.min`/`.max` instead of trapping.
    func saturatingMultiplied(by other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        if !overflow { return product }
        return (self < 0) == (other < 0) ? .max : .min
    }
}
