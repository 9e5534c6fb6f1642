/// What the sandbox does with one request beyond answering it correctly: the faults a real
/// provider shows (slow answers, errors, answers lost after the money moved, late final states,
/// repeated or stale notifications, reversals). Every field is optional; absent means "behave".
///
/// Used by rules (``BehaviourRule``) and produced from ``FaultRates`` for requests no rule
/// matched. JSON field names are the control API's (`snake_case`).
public struct Behaviour: Codable, Sendable, Equatable {
    /// Extra time before the answer, in milliseconds.
    public var latencyMs: Int?
    /// Accept and record the request (money moves as usual), then do not answer before the
    /// client has given up: the answer stalls for ``SandboxConfiguration/stall`` (R-C6).
    public var timeoutAfterCommit: Bool?
    /// Answer with this provider error code and record nothing (e.g. `SYSTEM_ERROR`,
    /// `FREQUENCY_LIMITED`, `ACQ.SYSTEM_ERROR`, `RATE_LIMITED`).
    public var fail: String?
    /// The refund's final state instead of success: `ABNORMAL` or `CLOSED` (R-C8).
    public var status: String?
    /// Time from acceptance to the final state, in milliseconds (overrides the provider's default).
    public var settleAfterMs: Int?
    /// Send every notification this many extra times (R-C9).
    public var duplicateNotifications: Int?
    /// After the final notification, send a stale one from before it (R-C9).
    public var outOfOrder: Bool?
    /// Settle at once and deliver the notification before answering the request (R-C9).
    public var notifyBeforeAnswer: Bool?
    /// After success, reverse the refund this many milliseconds later (R-C8).
    public var reverseAfterMs: Int?
    /// Alipay: answer `fund_change: "N"` (accepted, money not moved yet); settles later.
    public var fundChange: String?

    /// A behaviour with every field absent: answer correctly, settle on the default schedule.
    public init(
        latencyMs: Int? = nil,
        timeoutAfterCommit: Bool? = nil,
        fail: String? = nil,
        status: String? = nil,
        settleAfterMs: Int? = nil,
        duplicateNotifications: Int? = nil,
        outOfOrder: Bool? = nil,
        notifyBeforeAnswer: Bool? = nil,
        reverseAfterMs: Int? = nil,
        fundChange: String? = nil
    ) {
        self.latencyMs = latencyMs
        self.timeoutAfterCommit = timeoutAfterCommit
        self.fail = fail
        self.status = status
        self.settleAfterMs = settleAfterMs
        self.duplicateNotifications = duplicateNotifications
        self.outOfOrder = outOfOrder
        self.notifyBeforeAnswer = notifyBeforeAnswer
        self.reverseAfterMs = reverseAfterMs
        self.fundChange = fundChange
    }

    enum CodingKeys: String, CodingKey {
        case latencyMs = "latency_ms"
        case timeoutAfterCommit = "timeout_after_commit"
        case fail
        case status
        case settleAfterMs = "settle_after_ms"
        case duplicateNotifications = "duplicate_notifications"
        case outOfOrder = "out_of_order"
        case notifyBeforeAnswer = "notify_before_answer"
        case reverseAfterMs = "reverse_after_ms"
        case fundChange = "fund_change"
    }

    /// Checks the values a person typed into a rule.
    /// - Throws: ``SandboxRequestError`` naming the field.
    public func validate() throws {
        for (name, value) in [
            ("latency_ms", latencyMs), ("settle_after_ms", settleAfterMs),
            ("duplicate_notifications", duplicateNotifications), ("reverse_after_ms", reverseAfterMs),
        ] {
            if let value, value < 0 {
                throw SandboxRequestError("behaviour.\(name) is \(value); it must be 0 or more")
            }
        }
        if let status, !["ABNORMAL", "CLOSED"].contains(status) {
            throw SandboxRequestError("behaviour.status is \"\(status)\"; expected ABNORMAL or CLOSED")
        }
        if let fundChange, !["Y", "N"].contains(fundChange) {
            throw SandboxRequestError("behaviour.fund_change is \"\(fundChange)\"; expected Y or N")
        }
        if let fail, fail.isEmpty {
            throw SandboxRequestError("behaviour.fail is empty; give a provider error code such as SYSTEM_ERROR")
        }
    }
}

/// A request the control API or a provider route refused, with a message a person can act on.
public struct SandboxRequestError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the field.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
