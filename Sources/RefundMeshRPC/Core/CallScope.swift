/// What an outgoing call inherits from the call being handled on the same task: its deadline and
/// its request id (so one id follows a request across every service it touches).
public struct CallScope: Sendable {
    public var deadline: ContinuousClock.Instant?
    public var requestID: String?

    public init(deadline: ContinuousClock.Instant? = nil, requestID: String? = nil) {
        self.deadline = deadline
        self.requestID = requestID
    }

    /// Set by the server around every handler invocation.
    @TaskLocal public static var current: CallScope?
}
