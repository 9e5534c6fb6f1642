extension RiskConfiguration {
    /// The environment variables risk scoring (R-R7) is read from, each named in the
    /// ``PolicyError`` when its value is wrong. An empty value counts as unset.
    ///
    /// | variable | meaning | default | allowed |
    /// |---|---|---|---|
    /// | `REVIEW_RISK_THRESHOLD` | score at or above which a person decides | 50 | 1...1000 |
    /// | `REVIEW_RISK_WEIGHT_DUPLICATE_PAYMENTS` | weight of `duplicate_payments` | 50 | 0...1000 |
    /// | `REVIEW_RISK_WEIGHT_AMOUNT_ABOVE_NORM` | weight of `amount_above_norm` | 50 | 0...1000 |
    /// | `REVIEW_RISK_WEIGHT_LARGE_FIRST_PURCHASE` | weight of `large_first_purchase` | 20 | 0...1000 |
    /// | `REVIEW_RISK_WEIGHT_DEVICE_MISMATCH` | weight of `device_mismatch` | 30 | 0...1000 |
    /// | `REVIEW_RISK_WEIGHT_IP_MISMATCH` | weight of `ip_mismatch` | 20 | 0...1000 |
    /// | `REVIEW_RISK_WEIGHT_REFUND_FREQUENCY` | weight of `refund_frequency` | 50 | 0...1000 |
    /// | `REVIEW_RISK_WEIGHT_WITHDRAW_FLAG` | weight of `withdraw_flag` (R-A7) | 50 | 0...1000 |
    /// | `REVIEW_RISK_REFUND_WINDOW_DAYS` | window in which other refund requests are counted | 30 | 1...365 |
    /// | `REVIEW_RISK_REFUND_COUNT` | other refund requests in the window that fire `refund_frequency` | 3 | 1...1000 |
    /// | `REVIEW_RISK_AMOUNT_MULTIPLE` | multiple of the 90-day median that fires `amount_above_norm` | 5 | 2...100 |
    /// | `REVIEW_RISK_AMOUNT_MIN_ORDERS` | orders in 90 days needed to judge `amount_above_norm` | 3 | 1...1000 |
    /// | `REVIEW_RISK_FIRST_PURCHASE_FEN` | amount (fen) that fires `large_first_purchase` | 50000 | 1...100000000 |
    ///
    /// A weight of 0 turns its signal off. Variables not in this list are ignored (other settings
    /// share the environment); ``all`` lists these, ``RiskConfiguration/settings`` describes them
    /// with their values for documentation.
    public enum EnvironmentVariable {
        public static let threshold = "REVIEW_RISK_THRESHOLD"
        public static let refundWindowDays = "REVIEW_RISK_REFUND_WINDOW_DAYS"
        public static let refundCount = "REVIEW_RISK_REFUND_COUNT"
        public static let amountMultiple = "REVIEW_RISK_AMOUNT_MULTIPLE"
        public static let amountMinimumOrders = "REVIEW_RISK_AMOUNT_MIN_ORDERS"
        public static let firstPurchaseFen = "REVIEW_RISK_FIRST_PURCHASE_FEN"

        /// `REVIEW_RISK_WEIGHT_DEVICE_MISMATCH` and its siblings.
        public static func weight(of kind: RiskSignalKind) -> String {
            kind.weightVariable
        }

        /// Every variable ``RiskConfiguration/init(environment:)`` reads, in the order of
        /// ``RiskConfiguration/settings``.
        public static var all: [String] {
            [threshold] + RiskSignalKind.allCases.map(weight(of:)) + [
                refundWindowDays, refundCount, amountMultiple, amountMinimumOrders, firstPurchaseFen,
            ]
        }
    }

    /// One setting as documentation and a service's start-up log show it.
    public struct Setting: Sendable, Hashable {
        /// The environment variable, e.g. `REVIEW_RISK_THRESHOLD`.
        public var variable: String
        /// The value in effect, as text.
        public var value: String
        /// The default, as text.
        public var defaultValue: String
        /// What the variable may hold, e.g. `1...1000`.
        public var allowed: String
        /// What the setting does, citing its rule.
        public var meaning: String

        public init(variable: String, value: String, defaultValue: String, allowed: String, meaning: String) {
            self.variable = variable
            self.value = value
            self.defaultValue = defaultValue
            self.allowed = allowed
            self.meaning = meaning
        }
    }

    /// Every setting with its value in this configuration, its default, its range and its meaning,
    /// in the order of ``EnvironmentVariable/all``: for `docs/`, `--help` texts and a start-up log.
    public var settings: [Setting] {
        typealias Name = EnvironmentVariable
        let base = RiskConfiguration.default
        func setting(
            _ variable: String,
            _ value: Int,
            _ initial: Int,
            _ range: ClosedRange<Int>,
            _ meaning: String
        )
            -> Setting
        {
            Setting(
                variable: variable,
                value: String(value),
                defaultValue: String(initial),
                allowed: "\(range.lowerBound)...\(range.upperBound)",
                meaning: meaning
            )
        }
        var all = [
            setting(
                Name.threshold,
                threshold,
                base.threshold,
                Self.allowedThreshold,
                "score at or above which a person decides (R-R7)"
            )
        ]
        for kind in RiskSignalKind.allCases {
            all.append(
                setting(
                    Name.weight(of: kind),
                    weight(of: kind),
                    base.weight(of: kind),
                    Self.allowedWeights,
                    "weight of the \(kind.name) signal (\(kind.rule)); 0 turns it off"
                )
            )
        }
        all += [
            setting(
                Name.refundWindowDays,
                refundFrequencyWindowDays,
                base.refundFrequencyWindowDays,
                Self.allowedRefundFrequencyWindowDays,
                "days in which the user's other refund requests are counted (R-R7)"
            ),
            setting(
                Name.refundCount,
                refundFrequencyMinimum,
                base.refundFrequencyMinimum,
                Self.allowedRefundFrequencyMinimum,
                "other refund requests in that window that fire refund_frequency (R-R7)"
            ),
            setting(
                Name.amountMultiple,
                amountNormMultiple,
                base.amountNormMultiple,
                Self.allowedAmountNormMultiple,
                "refunds above this multiple of the user's 90-day median order fire amount_above_norm (R-R7)"
            ),
            setting(
                Name.amountMinimumOrders,
                amountNormMinimumOrders,
                base.amountNormMinimumOrders,
                Self.allowedAmountNormMinimumOrders,
                "orders in 90 days a user needs before amount_above_norm is judged (R-R7)"
            ),
            Setting(
                variable: Name.firstPurchaseFen,
                value: String(largeFirstPurchaseFen),
                defaultValue: String(base.largeFirstPurchaseFen),
                allowed: Self.describe(Self.allowedLargeFirstPurchaseFen),
                meaning: "refunds of at least this many fen by users without orders in 90 days fire "
                    + "large_first_purchase (R-R7; default ¥500, R-R8's large amount)"
            ),
        ]
        return all
    }

    /// Reads the configuration from `environment` (see ``EnvironmentVariable`` for the variables,
    /// their defaults and ranges); unset or blank variables keep the defaults.
    ///
    /// - Throws: ``PolicyError`` naming the first variable whose value is not a whole number or is
    ///   outside its range, e.g. "REVIEW_RISK_THRESHOLD=0 is outside the allowed range 1...1000
    ///   (R-R7)".
    public init(environment: [String: String]) throws(PolicyError) {
        typealias Name = EnvironmentVariable
        let base = RiskConfiguration.default
        // The same range text as the out-of-range errors, so "REVIEW_RISK_THRESHOLD=high" tells
        // what would be accepted.
        let allowed = Dictionary(uniqueKeysWithValues: base.settings.map { ($0.variable, $0.allowed) })
        func integer(_ name: String) throws(PolicyError) -> Int? {
            guard let raw = environment[name] else { return nil }
            let text = raw.trimmingWhitespace()
            if text.isEmpty { return nil }
            guard let number = Int(text) else {
                throw PolicyError(
                    code: .notANumber,
                    variable: name,
                    value: text,
                    allowed: "a whole number in " + (allowed[name] ?? "range"),
                    rule: .r7
                )
            }
            return number
        }
        var weights: [RiskSignalKind: Int] = [:]
        for kind in RiskSignalKind.allCases {
            if let weight = try integer(Name.weight(of: kind)) { weights[kind] = weight }
        }
        try self.init(
            threshold: try integer(Name.threshold) ?? base.threshold,
            weights: weights,
            refundFrequencyWindowDays: try integer(Name.refundWindowDays) ?? base.refundFrequencyWindowDays,
            refundFrequencyMinimum: try integer(Name.refundCount) ?? base.refundFrequencyMinimum,
            amountNormMultiple: try integer(Name.amountMultiple) ?? base.amountNormMultiple,
            amountNormMinimumOrders: try integer(Name.amountMinimumOrders) ?? base.amountNormMinimumOrders,
            largeFirstPurchaseFen: try integer(Name.firstPurchaseFen).map(Int64.init) ?? base.largeFirstPurchaseFen
        )
    }
}
