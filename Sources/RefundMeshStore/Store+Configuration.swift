extension Store {
    /// Where the database lives and how hard it syncs.
    public struct Configuration: Sendable {
        /// How many fsyncs a commit waits for (SQLite `PRAGMA synchronous`).
        public enum Synchronous: String, Sendable {
            /// Every commit is fsynced before it returns: a committed transaction survives a
            /// power loss. Required for stores that move money. About 6k single-row commits/s on
            /// the reference machine (the SQLite row c1 of the machine limits).
            case full = "FULL"
            /// Commits are durable against a process crash but the last ones may be lost on power
            /// loss (WAL is fsynced at checkpoints only). About 10× the commit rate of ``full``.
            case normal = "NORMAL"
        }

        /// Path of the SQLite file; its directory is created if missing.
        public var path: String
        /// Commit durability. Default ``Synchronous/full``.
        public var synchronous: Synchronous
        /// How long a connection waits for a lock held by another connection before failing with
        /// ``StoreError/Code/busy``. Default 5 s.
        public var busyTimeout: Duration
        /// Maximum concurrent read connections of the pool. Default 4.
        public var maximumReaderCount: Int
        /// The most writes one group commit takes (``Store``). Default 256.
        public var groupCommitLimit: Int
        /// Page cache of each connection (the writer and every reader), in KiB. Default 8 MiB.
        public var pageCacheKiB: Int

        /// Creates a configuration.
        /// - Parameters:
        ///   - path: Path of the SQLite file.
        ///   - synchronous: Commit durability; default ``Synchronous/full``.
        ///   - busyTimeout: Lock wait before ``StoreError/Code/busy``; default 5 s.
        ///   - maximumReaderCount: Read connections; default 4.
        ///   - groupCommitLimit: Writes per group commit at most; default 256.
        ///   - pageCacheKiB: Page cache per connection in KiB; default 8 MiB.
        public init(
            path: String,
            synchronous: Synchronous = .full,
            busyTimeout: Duration = .seconds(5),
            maximumReaderCount: Int = 4,
            groupCommitLimit: Int = 256,
            pageCacheKiB: Int = 8192
        ) {
            self.path = path
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
            self.maximumReaderCount = maximumReaderCount
            self.groupCommitLimit = groupCommitLimit
            self.pageCacheKiB = max(64, pageCacheKiB)
        }
    }
}
