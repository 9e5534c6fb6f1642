import RefundMeshAPI

extension RefundPolicy {
    /// The environment variables a policy is read from, each named in the ``PolicyError`` when its
    /// value is wrong. An empty value counts as unset.
    ///
    /// | variable | meaning | default | allowed |
    /// |---|---|---|---|
    /// | `REFUND_WINDOW_DAYS` | R-A4 window of every product kind | 15 | 7...15 |
    /// | `REFUND_WINDOW_DAYS_CARD_KEY`, `…_DIRECT_RECHARGE`, `…_TIME_BASED`, `…_VIRTUAL_SERVICE` | R-A4 window of one kind | `REFUND_WINDOW_DAYS` | 7...15 |
    /// | `REFUND_FEE_BASIS_POINTS` | R-C2 channel fee (60 = 0.6%) | 60 | 50...100 |
    /// | `REFUND_FEE_BASIS_POINTS_WECHAT_PAY`, `…_ALIPAY`, `…_BANK_CARD` | R-C2 fee of one channel | `REFUND_FEE_BASIS_POINTS` | 50...100 |
    /// | `REFUND_BALANCE_WITHDRAWABLE` | R-C4 | true | true/false, 1/0, yes/no |
    /// | `REFUND_ARRIVAL_MINUTES_BALANCE` | R-C3 balance arrival | 10 | 1...1440 |
    /// | `REFUND_ARRIVAL_WORKING_DAYS_WECHAT_PAY`, `…_ALIPAY` | R-C3 provider confirmation bound | 1 | 1...15 |
    /// | `REFUND_ARRIVAL_WORKING_DAYS_BANK_CARD` | R-C3 latest bank-card arrival | 5 | 1...15 |
    /// | `REFUND_MAX_WITHDRAWALS_PER_ORDER` | R-A7 | 3 | 1...100 |
    /// | `REFUND_MAX_WITHDRAWALS_PER_USER_PER_DAY` | R-A7 | 5 | 1...1000 |
    /// | `REFUND_MAX_ATTACHMENT_BYTES` | R-A5 | 2097152 | 1...67108864 |
    /// | `REFUND_MAX_ATTACHMENTS` | R-A5 | 8 | 1...32 |
    /// | `REFUND_REASON_MIN_LENGTH` | R-A5 vague-reason threshold (``ReasonStatementCheck``) | 8 | 1...200 |
    /// | `REFUND_VAGUE_PHRASES` | R-A5 vague phrases, comma-separated; replaces the defaults | see ``ReasonStatementCheck`` | non-empty |
    /// | `REFUND_HOLIDAYS` | holidays, `2026-10-01,2026-10-02` | none | yyyy-MM-dd list |
    /// | `REFUND_MAKEUP_WORKDAYS` | weekend days that are working days (调休) | none | yyyy-MM-dd list |
    /// | `REFUND_UTC_OFFSET_MINUTES` | the shop's time zone | 480 (UTC+8) | -720...840 |
    ///
    /// Variables not in this list are ignored (other settings share the environment);
    /// ``EnvironmentVariable/all`` lists these for a service that wants to warn about typos.
    public enum EnvironmentVariable {
        public static let windowDays = "REFUND_WINDOW_DAYS"
        public static let feeBasisPoints = "REFUND_FEE_BASIS_POINTS"
        public static let balanceWithdrawable = "REFUND_BALANCE_WITHDRAWABLE"
        public static let maxWithdrawalsPerOrder = "REFUND_MAX_WITHDRAWALS_PER_ORDER"
        public static let maxWithdrawalsPerUserPerDay = "REFUND_MAX_WITHDRAWALS_PER_USER_PER_DAY"
        public static let maxAttachmentBytes = "REFUND_MAX_ATTACHMENT_BYTES"
        public static let maxAttachments = "REFUND_MAX_ATTACHMENTS"
        public static let reasonMinimumLength = "REFUND_REASON_MIN_LENGTH"
        public static let vaguePhrases = "REFUND_VAGUE_PHRASES"
        public static let holidays = "REFUND_HOLIDAYS"
        public static let makeUpWorkingDays = "REFUND_MAKEUP_WORKDAYS"
        public static let utcOffsetMinutes = "REFUND_UTC_OFFSET_MINUTES"

        /// `REFUND_FEE_BASIS_POINTS_WECHAT_PAY` and its siblings (R-C2, per channel).
        public static func feeBasisPoints(for method: PaymentMethod) -> String {
            switch method {
            case .wechatPay: "REFUND_FEE_BASIS_POINTS_WECHAT_PAY"
            case .alipay: "REFUND_FEE_BASIS_POINTS_ALIPAY"
            case .bankCard: "REFUND_FEE_BASIS_POINTS_BANK_CARD"
            case .balance: "REFUND_FEE_BASIS_POINTS_BALANCE"
            case .unspecified, .unrecognized: "REFUND_FEE_BASIS_POINTS_METHOD_\(method.rawValue)"
            }
        }

        /// The channels a fee may be set for.
        static let feeMethods: [PaymentMethod] = [.wechatPay, .alipay, .bankCard]

        /// `REFUND_WINDOW_DAYS_CARD_KEY` and its siblings.
        public static func windowDays(for kind: ProductKind) -> String {
            "REFUND_WINDOW_DAYS_" + kindSuffix(kind)
        }

        /// `REFUND_ARRIVAL_WORKING_DAYS_BANK_CARD` and its siblings; `REFUND_ARRIVAL_MINUTES_BALANCE`
        /// for the balance, whose bound is in minutes.
        public static func arrivalWorkingDays(for method: PaymentMethod) -> String {
            switch method {
            case .balance: "REFUND_ARRIVAL_MINUTES_BALANCE"
            case .wechatPay: "REFUND_ARRIVAL_WORKING_DAYS_WECHAT_PAY"
            case .alipay: "REFUND_ARRIVAL_WORKING_DAYS_ALIPAY"
            case .bankCard: "REFUND_ARRIVAL_WORKING_DAYS_BANK_CARD"
            case .unspecified, .unrecognized: "REFUND_ARRIVAL_WORKING_DAYS_METHOD_\(method.rawValue)"
            }
        }

        /// Every variable ``RefundPolicy/init(environment:)`` reads.
        public static var all: [String] {
            [windowDays] + RefundPolicy.productKinds.map { windowDays(for: $0) } + [
                feeBasisPoints, balanceWithdrawable,
            ] + feeMethods.map { feeBasisPoints(for: $0) }
                + RefundPolicy.paymentMethods.map { arrivalWorkingDays(for: $0) } + [
                    maxWithdrawalsPerOrder, maxWithdrawalsPerUserPerDay, maxAttachmentBytes, maxAttachments,
                    reasonMinimumLength, vaguePhrases, holidays, makeUpWorkingDays, utcOffsetMinutes,
                ]
        }

        private static func kindSuffix(_ kind: ProductKind) -> String {
            switch kind {
            case .cardKey: "CARD_KEY"
            case .directRecharge: "DIRECT_RECHARGE"
            case .timeBased: "TIME_BASED"
            case .virtualService: "VIRTUAL_SERVICE"
            case .unspecified, .unrecognized: "KIND_\(kind.rawValue)"
            }
        }
    }

    /// Reads the policy from `environment` (see ``EnvironmentVariable`` for the variables, their
    /// defaults and ranges); unset variables keep ``default``'s values.
    ///
    /// - Throws: ``PolicyError`` naming the first variable whose value is malformed or outside its
    ///   range, e.g. "REFUND_WINDOW_DAYS=30 is outside the allowed range 7...15 (R-A4)".
    public init(environment: [String: String]) throws(PolicyError) {
        typealias Name = EnvironmentVariable
        let base = RefundPolicy.default
        let reader = EnvironmentReader(environment: environment)

        let windowDays = try reader.integer(Name.windowDays) ?? base.defaultWindowDays
        var byKind: [ProductKind: Int] = [:]
        for kind in Self.productKinds {
            if let days = try reader.integer(Name.windowDays(for: kind)) { byKind[kind] = days }
        }

        var arrivals = base.arrivals
        if let minutes = try reader.integer(Name.arrivalWorkingDays(for: .balance)) {
            arrivals[.balance] = .withinMinutes(minutes)
        }
        for method in [PaymentMethod.wechatPay, .alipay] {
            if let days = try reader.integer(Name.arrivalWorkingDays(for: method)) {
                arrivals[method] = .providerConfirmation(maxWorkingDays: days)
            }
        }
        if let days = try reader.integer(Name.arrivalWorkingDays(for: .bankCard)) {
            // R-C3 says 3-5; a shorter configured maximum pulls the minimum down with it.
            arrivals[.bankCard] = .workingDays(min: min(3, days), max: days)
        }

        var feesByMethod: [PaymentMethod: Int] = [:]
        for method in Name.feeMethods {
            if let points = try reader.integer(Name.feeBasisPoints(for: method)) { feesByMethod[method] = points }
        }

        var reasonCheck = base.reasonStatementCheck
        let minimumLength = try reader.integer(Name.reasonMinimumLength)
        let phrases = try reader.list(Name.vaguePhrases)
        if minimumLength != nil || phrases != nil {
            reasonCheck = ReasonStatementCheck(
                minimumLength: minimumLength ?? reasonCheck.minimumLength,
                vaguePhrases: phrases ?? ReasonStatementCheck.defaultVaguePhrases,
                fillerWords: reasonCheck.fillerWords
            )
        }

        let offset = try reader.integer(Name.utcOffsetMinutes) ?? base.calendar.utcOffsetMinutes
        // Checked here: the calendar clamps an offset it is given, which would hide the mistake.
        guard WorkingCalendar.allowedOffsetMinutes.contains(offset) else {
            throw PolicyError.outOfRange(Name.utcOffsetMinutes, offset, WorkingCalendar.allowedOffsetMinutes)
        }
        let calendar = WorkingCalendar(
            utcOffsetMinutes: offset,
            holidays: try reader.dates(Name.holidays),
            makeUpWorkingDays: try reader.dates(Name.makeUpWorkingDays)
        )

        try self.init(
            defaultWindowDays: windowDays,
            windowDaysByKind: byKind,
            feeBasisPoints: try reader.integer(Name.feeBasisPoints) ?? base.feeBasisPoints,
            requiredMaterials: base.requiredMaterials,
            arrivals: arrivals,
            balanceWithdrawable: try reader.boolean(Name.balanceWithdrawable) ?? base.balanceWithdrawable,
            maxWithdrawalsPerOrder: try reader.integer(Name.maxWithdrawalsPerOrder) ?? base.maxWithdrawalsPerOrder,
            maxWithdrawalsPerUserPerDay: try reader.integer(Name.maxWithdrawalsPerUserPerDay)
                ?? base.maxWithdrawalsPerUserPerDay,
            maxAttachmentBytes: try reader.integer(Name.maxAttachmentBytes).map(Int64.init) ?? base.maxAttachmentBytes,
            maxAttachments: try reader.integer(Name.maxAttachments) ?? base.maxAttachments,
            reasonStatementCheck: reasonCheck,
            calendar: calendar,
            feeBasisPointsByMethod: feesByMethod
        )
    }
}

/// Typed reads of environment values, each failure a ``PolicyError`` naming the variable.
private struct EnvironmentReader {
    var environment: [String: String]

    /// The trimmed value, or `nil` when unset or blank.
    func value(_ name: String) -> String? {
        guard let raw = environment[name] else { return nil }
        let trimmed = raw.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }

    func integer(_ name: String) throws(PolicyError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text) else {
            throw PolicyError(code: .notANumber, variable: name, value: text, allowed: "a whole number")
        }
        return number
    }

    func boolean(_ name: String) throws(PolicyError) -> Bool? {
        guard let text = value(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            throw PolicyError(code: .notABoolean, variable: name, value: text, allowed: "true or false")
        }
    }

    /// Comma-separated, each item trimmed, blanks dropped; `nil` when unset.
    func list(_ name: String) throws(PolicyError) -> [String]? {
        guard let text = value(name) else { return nil }
        let items = text.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        guard !items.isEmpty else {
            throw PolicyError(code: .empty, variable: name, value: text, allowed: "a comma-separated list")
        }
        return items
    }

    func dates(_ name: String) throws(PolicyError) -> Set<CivilDate> {
        guard let items = try list(name) else { return [] }
        var dates: Set<CivilDate> = []
        for item in items {
            guard let date = CivilDate(parsing: item) else {
                throw PolicyError(
                    code: .notADate,
                    variable: name,
                    value: item,
                    allowed: "comma-separated yyyy-MM-dd dates, e.g. 2026-10-01,2026-10-02"
                )
            }
            dates.insert(date)
        }
        return dates
    }
}

extension String {
    /// Without leading and trailing whitespace (including the ideographic space U+3000).
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}

extension RefundPolicy {
    /// The policy's variables for a service's `--help`: every name ``init(environment:)`` reads.
    public static var helpText: String {
        "\n  The refund policy (R-T1; RefundPolicy): " + EnvironmentVariable.all.joined(separator: ", ") + "."
    }
}
