import Foundation

extension OutboxRelay {
    /// How long the relay waits before retrying a message that failed: exponential, capped,
    /// with jitter so that many stores retrying one peer do not hit it in lockstep.
    ///
    /// The delay after attempt *n* is `min(maximum, initial × multiplier^(n-1))`, reduced by a
    /// random fraction up to ``jitter``. With the defaults (50 ms, ×2, 30 s, 20%) the waits are
    /// about 50, 100, 200 ms … and 30 s from the 11th failure on.
    public struct Backoff: Sendable, Hashable {
        /// Delay after the first failure. Default 50 ms.
        public var initial: Duration
        /// Cap on the delay. Default 30 s.
        public var maximum: Duration
        /// Growth per failure. Default 2.
        public var multiplier: Double
        /// Fraction of the delay that is randomized away, 0…1. Default 0.2 (so the delay is
        /// 80–100% of the nominal one, and still grows when `multiplier × (1 − jitter) > 1`).
        public var jitter: Double

        /// Creates a backoff policy.
        public init(
            initial: Duration = .milliseconds(50),
            maximum: Duration = .seconds(30),
            multiplier: Double = 2,
            jitter: Double = 0.2
        ) {
            self.initial = initial
            self.maximum = maximum
            self.multiplier = multiplier
            self.jitter = min(max(jitter, 0), 1)
        }

        /// The delay before the next attempt, after `attempts` failures (1 for the first).
        /// - Parameters:
        ///   - attempts: Failures so far, at least 1.
        ///   - random: A number in 0…1 that picks the jitter (tests pass a fixed one).
        public func delay(afterAttempts attempts: Int, random: Double = Double.random(in: 0...1)) -> Duration {
            let exponent = Double(max(attempts, 1) - 1)
            let nominal = min(initial.storeSeconds * pow(multiplier, exponent), maximum.storeSeconds)
            return .storeSeconds(nominal * (1 - jitter * min(max(random, 0), 1)))
        }
    }
}
