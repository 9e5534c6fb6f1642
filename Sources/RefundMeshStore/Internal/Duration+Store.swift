import Foundation

extension Duration {
    /// The duration in seconds, as GRDB and Foundation take it.
    var storeSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// A duration from fractional seconds (negative values clamp to zero).
    static func storeSeconds(_ seconds: Double) -> Duration {
        .nanoseconds(Int64((max(0, seconds) * 1e9).rounded()))
    }
}

extension Date {
    /// Milliseconds since 1970, the unit the store's tables use for instants.
    var storeMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    /// The instant `millis` milliseconds after 1970.
    init(storeMillis millis: Int64) {
        self.init(timeIntervalSince1970: Double(millis) / 1000)
    }
}
