/// Random faults for requests no rule matched: each a probability 0…1, drawn from a generator
/// seeded with ``seed`` so a run can be repeated exactly. Set by `PUT /sandbox/v1/rates` or the
/// `SANDBOX_RATE_*` variables at startup.
public struct FaultRates: Codable, Sendable, Equatable {
    public var timeoutAfterCommit: Double
    public var fail: Double
    public var abnormal: Double
    public var closed: Double
    public var duplicateNotifications: Double
    public var outOfOrder: Double
    public var notifyBeforeAnswer: Double
    public var reverse: Double
    /// Latency added to every unmatched request, in milliseconds.
    public var latencyMs: Int
    /// Time from acceptance to final state; nil for each provider's default.
    public var settleAfterMs: Int?
    /// When a `reverse` draw hits: milliseconds after success. Default 1000.
    public var reverseAfterMs: Int
    /// The generator's seed; the same seed and the same requests give the same faults.
    public var seed: UInt64

    public init(
        timeoutAfterCommit: Double = 0,
        fail: Double = 0,
        abnormal: Double = 0,
        closed: Double = 0,
        duplicateNotifications: Double = 0,
        outOfOrder: Double = 0,
        notifyBeforeAnswer: Double = 0,
        reverse: Double = 0,
        latencyMs: Int = 0,
        settleAfterMs: Int? = nil,
        reverseAfterMs: Int = 1000,
        seed: UInt64 = 1
    ) {
        self.timeoutAfterCommit = timeoutAfterCommit
        self.fail = fail
        self.abnormal = abnormal
        self.closed = closed
        self.duplicateNotifications = duplicateNotifications
        self.outOfOrder = outOfOrder
        self.notifyBeforeAnswer = notifyBeforeAnswer
        self.reverse = reverse
        self.latencyMs = latencyMs
        self.settleAfterMs = settleAfterMs
        self.reverseAfterMs = reverseAfterMs
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case timeoutAfterCommit = "timeout_after_commit"
        case fail, abnormal, closed
        case duplicateNotifications = "duplicate_notifications"
        case outOfOrder = "out_of_order"
        case notifyBeforeAnswer = "notify_before_answer"
        case reverse
        case latencyMs = "latency_ms"
        case settleAfterMs = "settle_after_ms"
        case reverseAfterMs = "reverse_after_ms"
        case seed
    }

    public init(from decoder: any Decoder) throws {
        let defaults = FaultRates()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timeoutAfterCommit =
            try c.decodeIfPresent(Double.self, forKey: .timeoutAfterCommit) ?? defaults.timeoutAfterCommit
        fail = try c.decodeIfPresent(Double.self, forKey: .fail) ?? defaults.fail
        abnormal = try c.decodeIfPresent(Double.self, forKey: .abnormal) ?? defaults.abnormal
        closed = try c.decodeIfPresent(Double.self, forKey: .closed) ?? defaults.closed
        duplicateNotifications =
            try c.decodeIfPresent(Double.self, forKey: .duplicateNotifications) ?? defaults.duplicateNotifications
        outOfOrder = try c.decodeIfPresent(Double.self, forKey: .outOfOrder) ?? defaults.outOfOrder
        notifyBeforeAnswer =
            try c.decodeIfPresent(Double.self, forKey: .notifyBeforeAnswer) ?? defaults.notifyBeforeAnswer
        reverse = try c.decodeIfPresent(Double.self, forKey: .reverse) ?? defaults.reverse
        latencyMs = try c.decodeIfPresent(Int.self, forKey: .latencyMs) ?? defaults.latencyMs
        settleAfterMs = try c.decodeIfPresent(Int.self, forKey: .settleAfterMs)
        reverseAfterMs = try c.decodeIfPresent(Int.self, forKey: .reverseAfterMs) ?? defaults.reverseAfterMs
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
    }

    /// The probabilities by their control-API names, for validation and settings.
    var probabilities: [(name: String, value: Double)] {
        [
            ("timeout_after_commit", timeoutAfterCommit), ("fail", fail), ("abnormal", abnormal), ("closed", closed),
            ("duplicate_notifications", duplicateNotifications), ("out_of_order", outOfOrder),
            ("notify_before_answer", notifyBeforeAnswer), ("reverse", reverse),
        ]
    }

    /// Checks that each rate is 0…1 and each time is 0 or more.
    /// - Throws: ``SandboxRequestError`` naming the field.
    public func validate() throws {
        for (name, value) in probabilities where !(0...1).contains(value) {
            throw SandboxRequestError("\(name) is \(value); a rate must be from 0 to 1")
        }
        for (name, value) in [
            ("latency_ms", latencyMs), ("settle_after_ms", settleAfterMs ?? 0), ("reverse_after_ms", reverseAfterMs),
        ]
        where value < 0 {
            throw SandboxRequestError("\(name) is \(value); it must be 0 or more")
        }
    }
}
