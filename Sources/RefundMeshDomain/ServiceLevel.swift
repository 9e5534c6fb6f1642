/// R-R4: every undecided case has an SLA due time.
///
/// Two kinds: **automatic** cases (the system waits for records it can decide from: an operator's
/// answer, payment records; R-R2, R-R3) are due within minutes of wall-clock time; **manual**
/// cases (a person decides) are due within working days on the ``WorkingCalendar``: weekends and
/// configured holidays do not count, make-up working days do. While the case waits for the
/// user's materials (R-R6) the clock stands still.
public struct ServiceLevel: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case automatic
        case manual
    }

    /// Wall-clock budget of an automatic case. Default 10 minutes.
    public var automaticBudgetMs: Int64
    /// Working-time budget of a manual case. Default 3 working days.
    public var manualBudgetMs: Int64
    /// How long before the due time a case counts as due soon: it moves to the top of the queue
    /// (R-R8) and a warning goes to the supervisors. Default 4 hours.
    public var warningMs: Int64

    public static let millisecondsPerDay: Int64 = 86_400_000

    public init(
        automaticBudgetMs: Int64 = 10 * 60_000,
        manualBudgetMs: Int64 = 3 * ServiceLevel.millisecondsPerDay,
        warningMs: Int64 = 4 * 3_600_000
    ) {
        self.automaticBudgetMs = automaticBudgetMs
        self.manualBudgetMs = manualBudgetMs
        self.warningMs = warningMs
    }

    public func budget(_ kind: Kind) -> Int64 {
        switch kind {
        case .automatic: automaticBudgetMs
        case .manual: manualBudgetMs
        }
    }
}

/// One case's SLA clock (R-R4, R-R6): started when the case enters a queue, paused while the
/// user is asked for materials, resumed when they arrive, stopped by the decision.
///
/// It keeps the time consumed before the last pause and the moment it last started running, so
/// the due time is always recomputed from the calendar; never from a stored "time left" that a
/// calendar change would make stale.
public struct SLAClock: Sendable, Hashable {
    public var kind: ServiceLevel.Kind
    /// The budget when the clock started.
    public var budgetMs: Int64
    /// Time consumed while running, up to the last pause.
    public var consumedMs: Int64
    /// When the clock last started running; nil while paused or stopped.
    public var runningSinceMs: Int64?
    /// When it falls due; nil while paused or stopped.
    public var dueAtMs: Int64?
    /// Set once the case is decided.
    public var stopped: Bool

    public init(
        kind: ServiceLevel.Kind,
        budgetMs: Int64,
        consumedMs: Int64 = 0,
        runningSinceMs: Int64?,
        dueAtMs: Int64?,
        stopped: Bool = false
    ) {
        self.kind = kind
        self.budgetMs = budgetMs
        self.consumedMs = consumedMs
        self.runningSinceMs = runningSinceMs
        self.dueAtMs = dueAtMs
        self.stopped = stopped
    }

    /// A clock of `kind` started at `nowMs`.
    public static func start(
        _ kind: ServiceLevel.Kind,
        at nowMs: Int64,
        level: ServiceLevel,
        calendar: WorkingCalendar
    ) -> SLAClock {
        var clock = SLAClock(kind: kind, budgetMs: level.budget(kind), runningSinceMs: nil, dueAtMs: nil)
        clock.resume(at: nowMs, calendar: calendar)
        return clock
    }

    /// Time that counts between two moments: working time for manual cases, wall-clock time for
    /// automatic ones.
    public func elapsed(from: Int64, to: Int64, calendar: WorkingCalendar) -> Int64 {
        switch kind {
        case .automatic: max(0, to - from)
        case .manual: calendar.workingMilliseconds(from: from, to: to)
        }
    }

    public var isPaused: Bool { !stopped && runningSinceMs == nil }

    /// Stops the clock while the user is asked for materials (R-R6).
    public mutating func pause(at nowMs: Int64, calendar: WorkingCalendar) {
        guard let since = runningSinceMs, !stopped else { return }
        consumedMs = consumedMs.saturatingAdding(elapsed(from: since, to: nowMs, calendar: calendar))
        runningSinceMs = nil
        dueAtMs = nil
    }

    /// Starts the clock again with the time left.
    public mutating func resume(at nowMs: Int64, calendar: WorkingCalendar) {
        guard runningSinceMs == nil, !stopped else { return }
        let left = max(0, budgetMs - consumedMs)
        runningSinceMs = nowMs
        switch kind {
        case .automatic: dueAtMs = nowMs.saturatingAdding(left)
        case .manual: dueAtMs = calendar.instant(afterWorking: left, from: nowMs)
        }
    }

    /// Stops the clock for good: the case is decided.
    public mutating func stop(at nowMs: Int64, calendar: WorkingCalendar) {
        pause(at: nowMs, calendar: calendar)
        stopped = true
    }

    /// Where the case stands at `nowMs`.
    public func status(at nowMs: Int64, level: ServiceLevel) -> Status {
        if stopped { return .met }
        guard let due = dueAtMs else { return .paused }
        if nowMs >= due { return .breached }
        if due - nowMs <= level.warningMs { return .dueSoon }
        return .onTrack
    }

    public enum Status: String, Sendable, Hashable {
        case onTrack = "on_track"
        case dueSoon = "due_soon"
        case breached
        case paused
        case met
    }
}
