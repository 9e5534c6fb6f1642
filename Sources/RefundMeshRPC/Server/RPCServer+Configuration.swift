extension RPCServer {
    /// Bounds that protect a server from one greedy or hostile client. Every one has a
    /// production default; docs/PROTOCOL.md ("Limits") lists what a peer sees when it crosses one
    /// and the log line the server writes (at notice, with `rpc.peer` and `rpc.limit`).
    public struct Limits: Sendable {
        /// The largest frame accepted or sent; a larger declared length is refused before it is
        /// buffered (RESOURCE_EXHAUSTED in a GOAWAY). Default 4 MiB.
        public var maxFrameBytes: Int = 4 * 1024 * 1024
        /// Calls running at once on one connection; more are answered RESOURCE_EXHAUSTED.
        /// Default 1024.
        public var maxConcurrentCallsPerConnection: Int = 1024
        /// Connections open at once; more are told RESOURCE_EXHAUSTED in a GOAWAY and closed.
        /// Default 4096.
        public var maxConnections: Int = 4096
        /// Connections open at once from one IP address (loopback included); more from that
        /// address are told RESOURCE_EXHAUSTED in a GOAWAY and closed, other peers are not
        /// affected. Default 256.
        public var maxConnectionsPerPeer: Int = 256
        /// Stream messages a peer may send before it must wait for a WINDOW frame. Default 64.
        public var initialWindow: UInt32 = 64
        /// Metadata entries (headers) one call may carry; more are answered RESOURCE_EXHAUSTED
        /// without running the handler. Default 64.
        public var maxMetadataEntries: Int = 64
        /// Bytes of metadata keys and values together one call may carry; more are answered
        /// RESOURCE_EXHAUSTED without running the handler. Default 16 KiB.
        public var maxMetadataBytes: Int = 16 * 1024
        /// Calls one connection may carry over its lifetime; after the last one the server sends
        /// GOAWAY UNAVAILABLE ("reconnect"), finishes the calls it took and closes, so long-lived
        /// connections rebalance across servers. Default 1,000,000.
        public var maxCallsPerConnection: Int = 1_000_000
        /// A new connection must send the preface and one whole frame within this time, or it is
        /// told DEADLINE_EXCEEDED in a GOAWAY and closed (zero: no limit). Covers the TLS
        /// handshake too. Default 10 s.
        public var handshakeTimeout: Duration = .seconds(10)
        /// Once the first byte of a frame has arrived, the rest must arrive within this time, or
        /// the connection is told DEADLINE_EXCEEDED in a GOAWAY and closed: a peer trickling a
        /// byte at a time cannot hold a connection and its buffer (zero: no limit). Default 30 s.
        public var frameTimeout: Duration = .seconds(30)
        /// Bytes the server may queue for a peer that is not reading before the connection
        /// counts as stalled (the channel's high water mark; streaming handlers wait while it is
        /// exceeded). Default 8 MiB.
        public var maxBufferedOutboundBytes: Int = 8 * 1024 * 1024
        /// How long a connection may stay stalled (over ``maxBufferedOutboundBytes``) before it
        /// is closed; no GOAWAY, since the peer is not reading. Default 30 s.
        public var outboundStallTimeout: Duration = .seconds(30)

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
        /// TLS for every connection (nil: plaintext). With ``RPCTLS/requireClientCertificate``
        /// the server accepts only clients whose certificate chains to the trust roots.
        public var tls: RPCTLS?
        /// Frames written while a burst of calls is handled are flushed together at the end of
        /// the burst, or as soon as this many are waiting: a partial flush lets the client work
        /// on the first answers while the rest are computed, instead of the two sides taking
        /// turns (docs/PERFORMANCE.md, "Flushing in the middle of a burst").
        public var framesPerFlush: Int = 16

        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            limits: Limits = Limits(),
            idleTimeout: Duration = .seconds(300),
            drainGracePeriod: Duration = .seconds(30),
            version: String = "dev",
            tls: RPCTLS? = nil
        ) {
            self.host = host
            self.port = port
            self.limits = limits
            self.idleTimeout = idleTimeout
            self.drainGracePeriod = drainGracePeriod
            self.version = version
            self.tls = tls
        }
    }
}
