extension RPCClient {
    /// How long to wait between reconnection attempts to one endpoint.
    public struct Backoff: Sendable {
        public var initial: Duration = .milliseconds(100)
        public var maximum: Duration = .seconds(5)
        public var multiplier: Double = 1.6
        /// ± this fraction of random spread, so many clients do not reconnect in step.
        public var jitter: Double = 0.2

        public init() {}

        /// The delay before attempt `failures + 1`.
        func delay(afterFailures failures: Int) -> Duration {
            var delay = Double(initial.microseconds)
            for _ in 1..<max(failures, 1) { delay = min(delay * multiplier, Double(maximum.microseconds)) }
            let spread = delay * jitter
            let jittered = delay + Double.random(in: -spread...spread)
            return .microseconds(Int64(max(jittered, 0)))
        }
    }

    public struct Configuration: Sendable {
        /// The servers to spread calls over, round-robin.
        public var endpoints: [Endpoint]
        public var connectTimeout: Duration = .seconds(5)
        public var backoff = Backoff()
        /// Send a PING after this long without hearing from the server (nil: never).
        public var keepaliveInterval: Duration? = .seconds(30)
        /// Close the connection when a PING is not answered within this time.
        public var keepaliveTimeout: Duration = .seconds(10)
        /// The largest frame this client sends or accepts.
        public var maxFrameBytes: Int = 4 * 1024 * 1024
        /// Response messages a server may stream before it must wait for this client to read.
        public var responseWindow: UInt32 = 64
        /// Applied to calls whose options set no timeout (nil: no deadline).
        public var defaultTimeout: Duration?
        public var interceptors: [any ClientInterceptor] = []
        /// TLS to every endpoint (nil: plaintext): the roots the servers must chain to, and for
        /// mutual TLS this client's certificate. The server's certificate must name
        /// ``RPCTLS/serverHostname`` or, by default, the endpoint's host.
        public var tls: RPCTLS?
        /// Requests written in one event-loop tick are flushed together, or as soon as this many
        /// are waiting, so the server starts on the first ones while the rest are written
        /// (docs/PERFORMANCE.md, "Flushing in the middle of a burst").
        public var framesPerFlush: Int = 16

        public init(endpoints: [Endpoint]) {
            self.endpoints = endpoints
        }
    }
}
