extension RPCServer {
    /// Bounds that protect a server from one greedy or hostile client.
    public struct Limits: Sendable {
        /// The largest frame accepted or sent; a larger declared length is refused before it is
        /// buffered (RESOURCE_EXHAUSTED in a GOAWAY).
        public var maxFrameBytes: Int = 4 * 1024 * 1024
        /// Calls running at once on one connection; more are answered RESOURCE_EXHAUSTED.
        public var maxConcurrentCallsPerConnection: Int = 1024
        /// Connections open at once; more are told RESOURCE_EXHAUSTED in a GOAWAY and closed.
        public var maxConnections: Int = 4096
        /// Stream messages a peer may send before it must wait for a WINDOW frame.
        public var initialWindow: UInt32 = 64

        public init() {}
    }

    /// Everything a server needs to know, with defaults suitable for production.
    public struct Configuration: Sendable {
        /// The address to bind; `0.0.0.0` for all interfaces.
        public var host: String
        /// The port to bind; 0 picks a free one (``RPCServer/listeningAddress()`` tells which).
        public var port: Int
        public var limits: Limits
        /// A connection with no calls and no frames for this long is closed (zero: never).
        public var idleTimeout: Duration
        /// How long a graceful shutdown waits for running calls before cancelling them.
        public var drainGracePeriod: Duration
        /// Reported by the discovery service.
        public var version: String

        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            limits: Limits = Limits(),
            idleTimeout: Duration = .seconds(300),
            drainGracePeriod: Duration = .seconds(30),
            version: String = "dev"
        ) {
            self.host = host
            self.port = port
            self.limits = limits
            self.idleTimeout = idleTimeout
            self.drainGracePeriod = drainGracePeriod
            self.version = version
        }
    }
}
