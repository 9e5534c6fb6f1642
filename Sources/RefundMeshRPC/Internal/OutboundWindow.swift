/// The sending side of one stream's flow control: credits the receiver granted, and the one
/// message a writer parked while it had none (a writer awaits each write, so there is at most
/// one). Used by both ends: server calls for responses, client calls for requests.
struct OutboundWindow {
    typealias ParkedWrite = (bytes: [UInt8], continuation: CheckedContinuation<Void, any Error>)

    private(set) var credits: UInt32
    private var parked: ParkedWrite?

    init(credits: UInt32) {
        self.credits = credits
    }

    /// Uses a credit for a message if there is one; otherwise parks it and returns false.
    mutating func admit(_ bytes: [UInt8], continuation: CheckedContinuation<Void, any Error>) -> Bool {
        guard credits > 0 else {
            parked = (bytes, continuation)
            return false
        }
        credits -= 1
        return true
    }

    /// Adds credits; returns the parked write if it may go now (its credit already taken).
    mutating func grant(_ more: UInt32) -> ParkedWrite? {
        let (sum, overflow) = credits.addingReportingOverflow(more)
        credits = overflow ? .max : sum
        guard let write = parked, credits > 0 else { return nil }
        parked = nil
        credits -= 1
        return write
    }

    /// Fails the parked write, if any: the stream has ended.
    mutating func failParked(_ error: any Error) {
        guard let write = parked else { return }
        parked = nil
        write.continuation.resume(throwing: error)
    }
}
