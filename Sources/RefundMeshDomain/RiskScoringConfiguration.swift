/// How risk scoring (R-R7) weighs its signals and when a person decides.
///
/// A request's score is the sum of the weights of the signals that fire (``RiskScorer``); at or
/// above ``threshold`` the case goes to a person. The defaults make two tiers, so that the score
/// reads the same way to everyone:
///
/// - **Decisive** signals weigh the threshold (50): each alone sends the case to a person.
///   ``RiskSignalKind/withdrawFlag`` because R-A7 says a flagged request goes to risk review
///   instead of auto-approval; ``RiskSignalKind/duplicatePayments`` because with two captures on
///   record the automatic decision cannot tell which one to refund (R-C1, R-C5);
///   ``RiskSignalKind/refundFrequency`` and ``RiskSignalKind/amountAboveNorm`` because R-R7 names
///   "many refunds by the same user" and "unusually large amounts" as anomalies in their own
///   right, and their parameters (below) are set where a regular customer rarely is.
/// - **Contributing** signals weigh less than the threshold and need a second one: a changed
///   device (30) happens when people buy a new phone; a changed IP address (20) happens whenever
///   they move between Wi-Fi and mobile data, so it weighs least; a large first purchase (20) is
///   ordinary for a new customer. Device and network changed together (30 + 20) is the
///   account-takeover picture (R-R7 "operation from a device/account other than the buyer's") and
///   reaches the threshold; so does a changed device on a large first purchase (30 + 20). A
///   changed network on a large first purchase (40) does not: the device, the stronger identity,
///   still matches.
///
/// The signal parameters:
/// - ``refundFrequencyMinimum`` 3 other refund requests in ``refundFrequencyWindowDays`` 30 days:
///   refunds of virtual goods are exceptions (most orders are delivered and used), so a customer
///   with one refund in a month is normal and one with a fourth is not; 3 matches R-A7's "3
///   withdrawals" as the point where repetition stops being accidental.
/// - ``amountNormMultiple`` 5× the user's 90-day median order, judged only with at least
///   ``amountNormMinimumOrders`` 3 orders: card and recharge denominations step by about 2-3×
///   (¥10, ¥30, ¥50, ¥100, ¥200, ¥500), so one step up is ordinary and 5× is more than two steps;
///   a median of fewer than 3 orders is one or two purchases, not a norm.
/// - ``largeFirstPurchaseFen`` ¥500: DOMAIN.md's own "large amount" (R-R8's green-channel
///   default), for users without orders in the 90 days before.
///
/// Weights and threshold go together: a threshold above the decisive weights turns those signals
/// into contributing ones (at 60 with the default weights, recall on the measurement's data set
/// falls from about 89% to 25%).
///
/// The precision and recall of these defaults on a labelled, simulated data set are measured by
/// `RiskScoringMeasurementTests` in `RefundMeshDomainTests` (printed in the test output): about
/// 87-90% precision and 89-91% recall at 20% abuse, with 2.5-3.3% of honest users sent to a person.
public struct RiskConfiguration: Sendable, Equatable {
    /// Weights: 0 turns a signal off; 1000 is far above any sensible threshold.
    public static let allowedWeights: ClosedRange<Int> = 0...1000
    /// The threshold: at least 1, so that a request without signals is never manual.
    public static let allowedThreshold: ClosedRange<Int> = 1...1000
    /// The refund-frequency window in days.
    public static let allowedRefundFrequencyWindowDays: ClosedRange<Int> = 1...365
    /// Other refund requests in the window that fire ``RiskSignalKind/refundFrequency``.
    public static let allowedRefundFrequencyMinimum: ClosedRange<Int> = 1...1000
    /// The multiple of the median order above which ``RiskSignalKind/amountAboveNorm`` fires.
    public static let allowedAmountNormMultiple: ClosedRange<Int> = 2...100
    /// Orders in 90 days needed before the median is taken as the user's norm.
    public static let allowedAmountNormMinimumOrders: ClosedRange<Int> = 1...1000
    /// The first-purchase amount in fen (¥0.01 to ¥1,000,000).
    public static let allowedLargeFirstPurchaseFen: ClosedRange<Int64> = 1...100_000_000

    /// The default weight of each signal (see the type's discussion for why).
    public static let defaultWeights: [RiskSignalKind: Int] = [
        .duplicatePayments: 50,
        .amountAboveNorm: 50,
        .largeFirstPurchase: 20,
        .deviceMismatch: 30,
        .ipMismatch: 20,
        .refundFrequency: 50,
        .withdrawFlag: 50,
    ]

    /// The defaults described above; the same as `RiskConfiguration()`.
    public static let `default` = try! RiskConfiguration()  // The defaults are within their ranges.

    /// The score at or above which a person decides (default 50).
    public let threshold: Int
    /// The weight of every signal; ``weight(of:)`` reads it.
    public let weights: [RiskSignalKind: Int]
    /// The window, in days, in which the caller counts the user's other refund requests
    /// (``RiskInputs/otherRefundRequests``); default 30.
    public let refundFrequencyWindowDays: Int
    /// Other refund requests in the window that fire ``RiskSignalKind/refundFrequency`` (default 3).
    public let refundFrequencyMinimum: Int
    /// ``RiskSignalKind/amountAboveNorm`` fires when the refund is more than this many times the
    /// user's 90-day median order (default 5).
    public let amountNormMultiple: Int
    /// Orders in the 90 days before that the user needs for ``RiskSignalKind/amountAboveNorm`` to
    /// be judged at all (default 3).
    public let amountNormMinimumOrders: Int
    /// ``RiskSignalKind/largeFirstPurchase`` fires for a user without orders in the 90 days before
    /// when the refund is at least this many fen (default 50,000 = ¥500, R-R8's large amount).
    public let largeFirstPurchaseFen: Int64

    /// A configuration from explicit values, validated against the ranges above.
    ///
    /// - Parameters:
    ///   - threshold: the score at or above which a person decides.
    ///   - weights: weights that differ from ``defaultWeights``; signals not named keep theirs.
    ///   - refundFrequencyWindowDays: see ``refundFrequencyWindowDays``.
    ///   - refundFrequencyMinimum: see ``refundFrequencyMinimum``.
    ///   - amountNormMultiple: see ``amountNormMultiple``.
    ///   - amountNormMinimumOrders: see ``amountNormMinimumOrders``.
    ///   - largeFirstPurchaseFen: see ``largeFirstPurchaseFen``.
    /// - Throws: ``PolicyError`` naming the setting's environment variable (so the message reads
    ///   the same wherever the value came from), the value and the allowed range.
    public init(
        threshold: Int = 50,
        weights: [RiskSignalKind: Int] = [:],
        refundFrequencyWindowDays: Int = 30,
        refundFrequencyMinimum: Int = 3,
        amountNormMultiple: Int = 5,
        amountNormMinimumOrders: Int = 3,
        largeFirstPurchaseFen: Int64 = 50_000
    ) throws(PolicyError) {
        typealias Name = EnvironmentVariable
        try Self.check(Name.threshold, threshold, Self.allowedThreshold)
        var merged = Self.defaultWeights
        for kind in RiskSignalKind.allCases {
            if let weight = weights[kind] {
                try Self.check(kind.weightVariable, weight, Self.allowedWeights)
                merged[kind] = weight
            }
        }
        try Self.check(Name.refundWindowDays, refundFrequencyWindowDays, Self.allowedRefundFrequencyWindowDays)
        try Self.check(Name.refundCount, refundFrequencyMinimum, Self.allowedRefundFrequencyMinimum)
        try Self.check(Name.amountMultiple, amountNormMultiple, Self.allowedAmountNormMultiple)
        try Self.check(Name.amountMinimumOrders, amountNormMinimumOrders, Self.allowedAmountNormMinimumOrders)
        guard Self.allowedLargeFirstPurchaseFen.contains(largeFirstPurchaseFen) else {
            throw PolicyError(
                code: .outOfRange,
                variable: Name.firstPurchaseFen,
                value: String(largeFirstPurchaseFen),
                allowed: Self.describe(Self.allowedLargeFirstPurchaseFen),
                rule: .r7
            )
        }
        self.threshold = threshold
        self.weights = merged
        self.refundFrequencyWindowDays = refundFrequencyWindowDays
        self.refundFrequencyMinimum = refundFrequencyMinimum
        self.amountNormMultiple = amountNormMultiple
        self.amountNormMinimumOrders = amountNormMinimumOrders
        self.largeFirstPurchaseFen = largeFirstPurchaseFen
    }

    /// The weight of `kind`; 0 means the signal is off.
    public func weight(of kind: RiskSignalKind) -> Int {
        weights[kind] ?? 0
    }

    private static func check(_ variable: String, _ value: Int, _ range: ClosedRange<Int>) throws(PolicyError) {
        guard range.contains(value) else { throw PolicyError.outOfRange(variable, value, range, rule: .r7) }
    }

    static func describe(_ range: ClosedRange<Int64>) -> String {
        "\(range.lowerBound)...\(range.upperBound)"
    }
}
