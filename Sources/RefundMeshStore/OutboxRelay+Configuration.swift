extension OutboxRelay {
    /// What a relay delivers and how patiently.
    public struct Configuration: Sendable {
        /// The destinations this relay serves; nil (the default) for every destination.
        public var destinations: Set<String>?
        /// Retry delays after failed deliveries.
        public var backoff: Backoff
        /// How often the relay looks for due messages without being woken: the fallback for
        /// rows written by another process or left by a crash. Default 1 s.
        public var pollInterval: Duration
        /// How many destinations are delivered to at the same time. Default 4.
        public var maximumConcurrentDestinations: Int
        /// How many messages to one destination are in flight at once, each of another ordering
        /// key. Default 64.
        public var maximumInFlightPerDestination: Int
        /// How long delivered messages are kept before they are pruned. Enqueue stays idempotent
        /// on event id for this long. Default 24 h.
        public var retention: Duration
        /// How often delivered messages past ``retention`` are pruned. Default 60 s.
        public var pruneInterval: Duration
        /// Age after which a pending message counts as stuck: it is logged on each failure and
        /// returned by ``OutboxRelay/stuckMessages()``. Default 5 min.
        public var stuckAfter: Duration

        /// Creates a configuration; every parameter has the documented default.
        public init(
            destinations: Set<String>? = nil,
            backoff: Backoff = Backoff(),
            pollInterval: Duration = .seconds(1),
            maximumConcurrentDestinations: Int = 4,
            maximumInFlightPerDestination: Int = 64,
            retention: Duration = .seconds(24 * 3600),
            pruneInterval: Duration = .seconds(60),
            stuckAfter: Duration = .seconds(300)
        ) {
            self.destinations = destinations
            self.backoff = backoff
            self.pollInterval = pollInterval
            self.maximumConcurrentDestinations = max(1, maximumConcurrentDestinations)
            self.maximumInFlightPerDestination = max(1, maximumInFlightPerDestination)
            self.retention = retention
            self.pruneInterval = pruneInterval
            self.stuckAfter = stuckAfter
        }
    }
}
