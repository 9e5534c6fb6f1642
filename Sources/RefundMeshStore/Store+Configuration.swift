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
        /// Maximum concurrent read connections of the pool. Default 8.
        ///
        /// GRDB hands readers out one at a time from a serial queue that blocks while every
        /// reader is busy, so a read beyond the last reader waits with every read behind it. At
        /// concurrency 64 (64 watched refunds, their views read at once) the mesh made 3-7 % more
        /// refunds a second with 8 than with 4, for 3-7 % less CPU a refund (medians of two sets
        /// of six alternating pairs); at concurrency 32 no difference showed, and 16 was no better
        /// than 8 (docs/PERFORMANCE.md, "2026-12-07, readers"). A reader costs its page cache
        /// (``pageCacheKiB``) only as it fills.
        public var maximumReaderCount: Int
        /// The most writes one group commit takes (``Store``). Default 256.
        public var groupCommitLimit: Int
        /// Page cache of each connection (the writer and every reader), in KiB. Default 8 MiB.
        public var pageCacheKiB: Int
        /// How many pages the write-ahead log may hold before a commit copies them into the
        /// database file (SQLite `PRAGMA wal_autocheckpoint`). Default 10,000 (about 40 MiB of
        /// log at 4 KiB pages), where SQLite's default is 1,000.
        ///
        /// Each of those copies ends with an fsync of the database file, inside the commit that
        /// crossed the limit, and a page changed many times between two copies is copied once. At
        /// a group-committed 30-40k changes/s the log gains about 40k pages a second, so SQLite's
        /// default checkpointed about 40 times a second; 10,000 made store-bench about a quarter
        /// faster (docs/PERFORMANCE.md, "2026-12-07, later"). Recovery after a crash reads the whole log.
        public var walAutocheckpointPages: Int

        /// Creates a configuration.
        /// - Parameters:
        ///   - path: Path of the SQLite file.
        ///   - synchronous: Commit durability; default ``Synchronous/full``.
        ///   - busyTimeout: Lock wait before ``StoreError/Code/busy``; default 5 s.
        ///   - maximumReaderCount: Read connections; default 8.
        ///   - groupCommitLimit: Writes per group commit at most; default 256.
        ///   - pageCacheKiB: Page cache per connection in KiB; default 8 MiB.
        ///   - walAutocheckpointPages: Log pages before a checkpoint; default 10,000.
        public init(
            path: String,
            synchronous: Synchronous = .full,
            busyTimeout: Duration = .seconds(5),
            maximumReaderCount: Int = 8,
            groupCommitLimit: Int = 256,
            pageCacheKiB: Int = 8192,
            walAutocheckpointPages: Int = 10_000
        ) {
            self.path = path
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
            self.maximumReaderCount = maximumReaderCount
            self.groupCommitLimit = groupCommitLimit
            self.pageCacheKiB = max(64, pageCacheKiB)
            self.walAutocheckpointPages = max(1, walAutocheckpointPages)
        }
    }
}
