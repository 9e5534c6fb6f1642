import RefundMeshAPI

/// The refund policy: the one configuration every rule reads and the policy API publishes (R-T1).
///
/// Values are validated when the policy is made, so a rule never meets a window of 30 days or a
/// fee of 5%: the validating initialiser and ``init(environment:)`` throw a ``PolicyError`` that
/// names the setting's environment variable and its allowed range. ``default`` holds DOMAIN.md's
/// defaults.
public struct RefundPolicy: Sendable, Equatable {
    /// R-A4: a window may be 7 to 15 days.
    public static let allowedWindowDays: ClosedRange<Int> = 7...15
    /// R-C2: a channel fee may be 0.5% to 1%, in basis points.
    public static let allowedFeeBasisPoints: ClosedRange<Int> = 50...100
    /// R-C3: the working days a provider or bank may be given to deliver a refund.
    public static let allowedArrivalWorkingDays: ClosedRange<Int> = 1...15
    /// R-A7: withdrawals allowed per order before the next request is flagged.
    public static let allowedMaxWithdrawalsPerOrder: ClosedRange<Int> = 1...100
    /// R-A7: withdrawals allowed per user in 24 hours before the next request is flagged.
    public static let allowedMaxWithdrawalsPerUserPerDay: ClosedRange<Int> = 1...1000
    /// R-A5: the size limit of one attachment may be set from 1 byte to 64 MiB.
    public static let allowedMaxAttachmentBytes: ClosedRange<Int64> = 1...(64 * 1024 * 1024)
    /// R-A5: one request may carry 1 to 32 attachments.
    public static let allowedMaxAttachments: ClosedRange<Int> = 1...32

    /// R-A5 ("三证一码"): the materials each ground needs.
    ///
    /// Only "not used" asks for a proof of non-use: that is the user's claim to prove. The
    /// platform-fault grounds (R-A2b) and "partly used" are proven from the platform's own records
    /// (payments for a duplicate charge, delivery and usage facts), so order proof, payment proof
    /// and a specific reason statement suffice; asking the user to prove a failure the platform
    /// can see would only slow the refund down.
    public static let defaultRequiredMaterials: [RefundGround: [MaterialKind]] = [
        .notUsed: [.orderProof, .paymentProof, .nonUseProof, .reasonStatement],
        .duplicateCharge: [.orderProof, .paymentProof, .reasonStatement],
        .notAsDescribed: [.orderProof, .paymentProof, .reasonStatement],
        .deliveryFailed: [.orderProof, .paymentProof, .reasonStatement],
        .partlyUsed: [.orderProof, .paymentProof, .reasonStatement],
    ]

    /// The product kinds the policy publishes a window for, in order.
    public static let productKinds: [ProductKind] = [.cardKey, .directRecharge, .timeBased, .virtualService]
    /// The grounds the policy publishes materials for, in order.
    public static let grounds: [RefundGround] = [
        .notUsed, .duplicateCharge, .notAsDescribed, .deliveryFailed, .partlyUsed,
    ]
    /// The payment methods the policy publishes arrival times for, in order.
    public static let paymentMethods: [PaymentMethod] = [.balance, .wechatPay, .alipay, .bankCard]

    /// R-A4: the window, in days, of product kinds without their own (default 15).
    public let defaultWindowDays: Int
    /// R-A4: windows set per product kind; kinds not here use ``defaultWindowDays``.
    public let windowDaysByKind: [ProductKind: Int]
    /// R-C2: the third-party channel fee in basis points (60 = 0.6%).
    public let feeBasisPoints: Int
    /// R-C2: fees set per channel (WeChat Pay, Alipay, bank card); channels not here pay
    /// ``feeBasisPoints``. See ``feeBasisPoints(for:)``.
    public let feeBasisPointsByMethod: [PaymentMethod: Int]
    /// R-A5: materials per ground; a ground not here needs none (and is refused as a ground).
    public let requiredMaterials: [RefundGround: [MaterialKind]]
    /// R-C3: arrival per payment method.
    public let arrivals: [PaymentMethod: ArrivalRule]
    /// R-C4: whether money refunded to the balance can be withdrawn.
    public let balanceWithdrawable: Bool
    /// R-A7: more withdrawals than this for one order flag the next request (default 3).
    public let maxWithdrawalsPerOrder: Int
    /// R-A7: more withdrawals than this by one user in 24 hours flag the next request (default 5).
    public let maxWithdrawalsPerUserPerDay: Int
    /// R-A5: the largest attachment accepted, in bytes (default 2 MiB).
    public let maxAttachmentBytes: Int64
    /// R-A5: the most attachments one request may carry (default 8).
    public let maxAttachments: Int
    /// R-A5: what counts as a vague reason statement.
    public let reasonStatementCheck: ReasonStatementCheck
    /// Working days and the shop's time zone (R-A4 deadlines, R-C3 arrivals).
    public let calendar: WorkingCalendar

    /// DOMAIN.md's defaults: 15-day windows, 0.6% fee, balance withdrawable, 3/5 withdrawals,
    /// 2 MiB × 8 attachments, China Standard Time without holidays.
    public static let `default` = RefundPolicy(
        unchecked: (),
        defaultWindowDays: 15,
        windowDaysByKind: [:],
        feeBasisPoints: 60,
        feeBasisPointsByMethod: [:],
        requiredMaterials: defaultRequiredMaterials,
        arrivals: ArrivalRule.defaults,
        balanceWithdrawable: true,
        maxWithdrawalsPerOrder: 3,
        maxWithdrawalsPerUserPerDay: 5,
        maxAttachmentBytes: 2 * 1024 * 1024,
        maxAttachments: 8,
        reasonStatementCheck: ReasonStatementCheck(),
        calendar: WorkingCalendar()
    )

    /// A policy from explicit values, validated against the ranges above.
    ///
    /// - Throws: ``PolicyError`` naming the environment variable that carries the setting (so the
    ///   message reads the same wherever the value came from) and its allowed range.
    public init(
        defaultWindowDays: Int = 15,
        windowDaysByKind: [ProductKind: Int] = [:],
        feeBasisPoints: Int = 60,
        requiredMaterials: [RefundGround: [MaterialKind]] = RefundPolicy.defaultRequiredMaterials,
        arrivals: [PaymentMethod: ArrivalRule] = ArrivalRule.defaults,
        balanceWithdrawable: Bool = true,
        maxWithdrawalsPerOrder: Int = 3,
        maxWithdrawalsPerUserPerDay: Int = 5,
        maxAttachmentBytes: Int64 = 2 * 1024 * 1024,
        maxAttachments: Int = 8,
        reasonStatementCheck: ReasonStatementCheck = ReasonStatementCheck(),
        calendar: WorkingCalendar = WorkingCalendar(),
        feeBasisPointsByMethod: [PaymentMethod: Int] = [:]
    ) throws(PolicyError) {
        typealias Name = EnvironmentVariable
        try Self.check(Name.windowDays, defaultWindowDays, Self.allowedWindowDays, rule: .a4)
        for kind in Self.productKinds {
            if let days = windowDaysByKind[kind] {
                try Self.check(Name.windowDays(for: kind), days, Self.allowedWindowDays, rule: .a4)
            }
        }
        for (kind, days) in windowDaysByKind where !Self.productKinds.contains(kind) {
            try Self.check(Name.windowDays(for: kind), days, Self.allowedWindowDays, rule: .a4)
        }
        try Self.check(Name.feeBasisPoints, feeBasisPoints, Self.allowedFeeBasisPoints, rule: .c2)
        for (method, points) in feeBasisPointsByMethod.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            try Self.check(Name.feeBasisPoints(for: method), points, Self.allowedFeeBasisPoints, rule: .c2)
        }
        for method in Self.paymentMethods {
            switch arrivals[method] {
            case .withinMinutes(let minutes):
                try Self.check(Name.arrivalWorkingDays(for: method), minutes, 1...1440, rule: RuleID("R-C3"))
            case .providerConfirmation(let days):
                try Self.check(
                    Name.arrivalWorkingDays(for: method),
                    days,
                    Self.allowedArrivalWorkingDays,
                    rule: RuleID("R-C3")
                )
            case .workingDays(let low, let high):
                try Self.check(
                    Name.arrivalWorkingDays(for: method),
                    high,
                    Self.allowedArrivalWorkingDays,
                    rule: RuleID("R-C3")
                )
                try Self.check(Name.arrivalWorkingDays(for: method), low, 0...high, rule: RuleID("R-C3"))
            case nil:
                throw PolicyError(
                    code: .empty,
                    variable: Name.arrivalWorkingDays(for: method),
                    value: "",
                    allowed: "an arrival rule for every payment method",
                    rule: RuleID("R-C3")
                )
            }
        }
        try Self.check(
            Name.maxWithdrawalsPerOrder,
            maxWithdrawalsPerOrder,
            Self.allowedMaxWithdrawalsPerOrder,
            rule: .a7
        )
        try Self.check(
            Name.maxWithdrawalsPerUserPerDay,
            maxWithdrawalsPerUserPerDay,
            Self.allowedMaxWithdrawalsPerUserPerDay,
            rule: .a7
        )
        guard Self.allowedMaxAttachmentBytes.contains(maxAttachmentBytes) else {
            throw PolicyError(
                code: .outOfRange,
                variable: Name.maxAttachmentBytes,
                value: String(maxAttachmentBytes),
                allowed: "\(Self.allowedMaxAttachmentBytes.lowerBound)...\(Self.allowedMaxAttachmentBytes.upperBound)",
                rule: .a5
            )
        }
        try Self.check(Name.maxAttachments, maxAttachments, Self.allowedMaxAttachments, rule: .a5)
        try Self.check(
            Name.reasonMinimumLength,
            reasonStatementCheck.minimumLength,
            ReasonStatementCheck.allowedMinimumLength,
            rule: .a5
        )
        try Self.check(
            Name.utcOffsetMinutes,
            calendar.utcOffsetMinutes,
            WorkingCalendar.allowedOffsetMinutes
        )
        self.init(
            unchecked: (),
            defaultWindowDays: defaultWindowDays,
            windowDaysByKind: windowDaysByKind,
            feeBasisPoints: feeBasisPoints,
            feeBasisPointsByMethod: feeBasisPointsByMethod,
            requiredMaterials: requiredMaterials,
            arrivals: arrivals,
            balanceWithdrawable: balanceWithdrawable,
            maxWithdrawalsPerOrder: maxWithdrawalsPerOrder,
            maxWithdrawalsPerUserPerDay: maxWithdrawalsPerUserPerDay,
            maxAttachmentBytes: maxAttachmentBytes,
            maxAttachments: maxAttachments,
            reasonStatementCheck: reasonStatementCheck,
            calendar: calendar
        )
    }

    private init(
        unchecked: Void,
        defaultWindowDays: Int,
        windowDaysByKind: [ProductKind: Int],
        feeBasisPoints: Int,
        feeBasisPointsByMethod: [PaymentMethod: Int],
        requiredMaterials: [RefundGround: [MaterialKind]],
        arrivals: [PaymentMethod: ArrivalRule],
        balanceWithdrawable: Bool,
        maxWithdrawalsPerOrder: Int,
        maxWithdrawalsPerUserPerDay: Int,
        maxAttachmentBytes: Int64,
        maxAttachments: Int,
        reasonStatementCheck: ReasonStatementCheck,
        calendar: WorkingCalendar
    ) {
        self.defaultWindowDays = defaultWindowDays
        self.windowDaysByKind = windowDaysByKind
        self.feeBasisPoints = feeBasisPoints
        self.feeBasisPointsByMethod = feeBasisPointsByMethod
        self.requiredMaterials = requiredMaterials
        self.arrivals = arrivals
        self.balanceWithdrawable = balanceWithdrawable
        self.maxWithdrawalsPerOrder = maxWithdrawalsPerOrder
        self.maxWithdrawalsPerUserPerDay = maxWithdrawalsPerUserPerDay
        self.maxAttachmentBytes = maxAttachmentBytes
        self.maxAttachments = maxAttachments
        self.reasonStatementCheck = reasonStatementCheck
        self.calendar = calendar
    }

    /// R-A4: the window in days for `kind`.
    public func windowDays(for kind: ProductKind) -> Int {
        windowDaysByKind[kind] ?? defaultWindowDays
    }

    /// R-C2: the fee in basis points of a refund paid out on `method` (before the ground is
    /// considered: platform faults and the balance pay none, ``FeeSchedule/fee(amountFen:method:platformFault:policy:)``).
    public func feeBasisPoints(for method: PaymentMethod) -> Int {
        feeBasisPointsByMethod[method] ?? feeBasisPoints
    }

    /// R-A5: the materials `ground` needs, in a stable order.
    public func requiredMaterials(for ground: RefundGround) -> [MaterialKind] {
        requiredMaterials[ground] ?? []
    }

    /// R-C3: how refunds on `method` arrive. An unknown method gets the slowest rule configured, so
    /// the expected arrival is never earlier than the truth.
    public func arrival(for method: PaymentMethod) -> ArrivalRule {
        if let rule = arrivals[method] { return rule }
        return arrivals.values.max { $0.maxWorkingDays < $1.maxWorkingDays } ?? .workingDays(min: 3, max: 5)
    }

    private static func check(
        _ variable: String,
        _ value: Int,
        _ range: ClosedRange<Int>,
        rule: RuleID? = nil
    ) throws(PolicyError) {
        guard range.contains(value) else { throw PolicyError.outOfRange(variable, value, range, rule: rule) }
    }
}
