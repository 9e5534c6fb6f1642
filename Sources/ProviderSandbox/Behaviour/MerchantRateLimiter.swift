import Synchronization

/// WeChat Pay's per-merchant request limit (R-C7, about 150 requests/s): a token bucket per
/// merchant that refills at `rate` per second and holds at most one second's worth.
final class MerchantRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let rate: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    init(requestsPerSecond: Int) {
        rate = Double(max(1, requestsPerSecond))
    }

    /// Takes a token for `merchant`; false when its bucket is empty (answer FREQUENCY_LIMITED).
    func admit(_ merchant: String, now: ContinuousClock.Instant = .now) -> Bool {
        buckets.withLock { buckets in
            var bucket = buckets[merchant] ?? Bucket(tokens: rate, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(rate, bucket.tokens + seconds * rate)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[merchant] = bucket
                return false
            }
            bucket.tokens -= 1
            buckets[merchant] = bucket
            return true
        }
    }
}
