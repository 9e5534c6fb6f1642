import Foundation

/// Replay protection: a signed timestamp must be within the allowed skew of our clock.
enum ClockSkew {
    /// Parses Unix seconds from `text` and checks it against `now`.
    static func checkUnixSeconds(
        _ text: String,
        field: String,
        now: Date,
        allowed: Duration
    ) throws(SignatureVerificationError) -> Int64 {
        guard let seconds = Int64(text) else {
            throw SignatureVerificationError(
                code: .malformedField,
                field: field,
                message: "\"\(text)\" is not Unix seconds"
            )
        }
        try check(seconds: seconds, field: field, now: now, allowed: allowed)
        return seconds
    }

    static func check(seconds: Int64, field: String, now: Date, allowed: Duration) throws(SignatureVerificationError) {
        let skew = abs(now.timeIntervalSince1970 - Double(seconds))
        let allowedSeconds = Double(allowed.components.seconds)
        guard skew <= allowedSeconds else {
            throw SignatureVerificationError(
                code: .staleTimestamp,
                field: field,
                message:
                    "timestamp \(seconds) is \(Int64(skew)) s away from now, more than the allowed \(Int64(allowedSeconds)) s"
            )
        }
    }
}
