/// Per-call settings a caller passes to a client stub.
public struct CallOptions: Sendable {
    /// How long the call may take, counted from when it starts. The deadline travels to the
    /// server, and a handler's outgoing calls inherit whichever deadline is sooner.
    public var timeout: Duration?
    /// Request headers.
    public var metadata: Metadata
    /// Overrides the method's declared idempotency for retries (nil: use the declaration).
    public var isIdempotent: Bool?
    /// How many attempts a retryable call may make in all (1 disables retries).
    public var maxAttempts: Int
    /// The end user this call acts for, which credential interceptors mint a user token for.
    /// Client stubs fill it from requests that name their user (``UserScopedRequest``).
    public var actingUser: String?
    /// The staff member this call is made by (an operator, a reviewer), which credential
    /// interceptors mint a staff token for; stubs fill it from ``StaffAttributedRequest``s.
    public var actingStaff: String?

    public init(
        timeout: Duration? = nil,
        metadata: Metadata = [:],
        isIdempotent: Bool? = nil,
        maxAttempts: Int = 3
    ) {
        self.timeout = timeout
        self.metadata = metadata
        self.isIdempotent = isIdempotent
        self.maxAttempts = maxAttempts
    }

    public static var defaults: CallOptions { CallOptions() }
}
