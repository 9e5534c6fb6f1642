extension WorkingCalendar {
    /// How much of `[from, to)` falls on working days, in milliseconds (R-R4).
    ///
    /// Working time is every millisecond of a working day, local time: an SLA of 3 working days
    /// opened on Friday 15:00 is due on Wednesday 15:00, and one opened on Saturday is due on
    /// Wednesday 24:00 (the weekend does not count at all).
    public func workingMilliseconds(from: Int64, to: Int64) -> Int64 {
        guard to > from else { return 0 }
        var total: Int64 = 0
        var cursor = from
        var day = date(at: from)
        while cursor < to {
            let nextDay = day.adding(days: 1)
            let end = min(startOfDay(nextDay), to)
            if isWorkingDay(day) { total = total.saturatingAdding(end - cursor) }
            cursor = end
            day = nextDay
        }
        return total
    }

    /// The moment when `budget` milliseconds of working time have passed since `start` (R-R4):
    /// the inverse of ``workingMilliseconds(from:to:)``. `budget <= 0` returns `start`.
    ///
    /// A calendar without a working day in ten years (a configuration mistake) yields `.max`
    /// rather than looping forever.
    public func instant(afterWorking budget: Int64, from start: Int64) -> Int64 {
        guard budget > 0 else { return start }
        var remaining = budget
        var cursor = start
        var day = date(at: start)
        for _ in 0..<3653 {
            let nextDay = day.adding(days: 1)
            let dayEnd = startOfDay(nextDay)
            if isWorkingDay(day) {
                let span = dayEnd - cursor
                if remaining <= span { return cursor + remaining }
                remaining -= span
            }
            cursor = dayEnd
            day = nextDay
        }
        return .max
    }
}
