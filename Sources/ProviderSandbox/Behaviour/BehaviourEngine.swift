import Synchronization

/// Decides, per request, how the sandbox misbehaves: the first rule that matches (in the order
/// added) and is not used up; otherwise a draw from the ``FaultRates``.
///
/// Rules and rates live in memory (they script a test or a bench run); the records they cause
/// live in the store. Thread-safe.
public final class BehaviourEngine: Sendable {
    private struct State {
        var rules: [BehaviourRule] = []
        var nextRuleNumber = 1
        var rates: FaultRates
        var random: SplitMix64
    }

    private let state: Mutex<State>

    /// Creates an engine with no rules and `rates`.
    public init(rates: FaultRates = FaultRates()) {
        state = Mutex(State(rates: rates, random: SplitMix64(seed: rates.seed)))
    }

    /// Adds a rule after the existing ones and returns its id (`r1`, `r2`, …).
    /// - Throws: ``SandboxRequestError`` if the rule is malformed.
    @discardableResult
    public func add(_ rule: BehaviourRule) throws -> String {
        try rule.validate()
        return state.withLock { state in
            var rule = rule
            let id = "r\(state.nextRuleNumber)"
            state.nextRuleNumber += 1
            rule.ruleID = id
            rule.used = 0
            state.rules.append(rule)
            return id
        }
    }

    /// Removes every rule.
    public func clearRules() {
        state.withLock { $0.rules.removeAll() }
    }

    /// The rules, used-up ones included, in matching order.
    public var rules: [BehaviourRule] { state.withLock { $0.rules } }

    /// Replaces the fault rates and restarts the generator from their seed.
    /// - Throws: ``SandboxRequestError`` if a rate is out of range.
    public func setRates(_ rates: FaultRates) throws {
        try rates.validate()
        state.withLock { state in
            state.rates = rates
            state.random = SplitMix64(seed: rates.seed)
        }
    }

    /// The current fault rates.
    public var rates: FaultRates { state.withLock { $0.rates } }

    /// The behaviour for one request, consuming one use of the rule that matched.
    func behaviour(for facts: RequestFacts) -> Behaviour {
        state.withLock { state in
            if let index = state.rules.firstIndex(where: { rule in
                !rule.isUsedUp && (rule.provider == "*" || rule.provider == facts.provider.rawValue)
                    && rule.match.matches(facts)
            }) {
                state.rules[index].used += 1
                return state.rules[index].behaviour
            }
            return Self.draw(state.rates, provider: facts.provider, random: &state.random)
        }
    }

    /// A number in `range` from the seeded generator (e.g. a bank refund's working days).
    func integer(in range: ClosedRange<Int>) -> Int {
        state.withLock { state in Int.random(in: range, using: &state.random) }
    }

    /// One behaviour from the rates. Always draws every fault, in a fixed order, so the
    /// sequence for a seed does not depend on which rates are zero.
    private static func draw(_ rates: FaultRates, provider: ProviderKind, random: inout SplitMix64) -> Behaviour {
        let draws = (0..<8).map { _ in random.unit() }
        var behaviour = Behaviour()
        if rates.latencyMs > 0 { behaviour.latencyMs = rates.latencyMs }
        behaviour.settleAfterMs = rates.settleAfterMs
        if draws[0] < rates.timeoutAfterCommit { behaviour.timeoutAfterCommit = true }
        if draws[1] < rates.fail { behaviour.fail = provider.systemErrorCode }
        if draws[2] < rates.abnormal {
            behaviour.status = "ABNORMAL"
        } else if draws[3] < rates.closed {
            behaviour.status = "CLOSED"
        }
        if draws[4] < rates.duplicateNotifications { behaviour.duplicateNotifications = 1 }
        if draws[5] < rates.outOfOrder { behaviour.outOfOrder = true }
        if draws[6] < rates.notifyBeforeAnswer { behaviour.notifyBeforeAnswer = true }
        if draws[7] < rates.reverse { behaviour.reverseAfterMs = rates.reverseAfterMs }
        return behaviour
    }
}
