import Foundation
import GRDB
import GRDBSQLite

/// What ``Store/backup(to:)`` made.
public struct StoreBackupResult: Sendable, Hashable {
    /// The copy.
    public var path: String
    /// Its size in bytes.
    public var sizeInBytes: Int64
    /// `PRAGMA integrity_check` on the copy: "ok" when it is sound.
    public var integrity: String
    /// How long the copy took.
    public var duration: Duration
}

extension Store {
    /// Copies the database to `path` while the service keeps reading and writing, with SQLite's
    /// online backup API (GRDB `backup(to:)`): the copy is one consistent snapshot of committed
    /// transactions, including those still in the write-ahead log, and is itself a plain
    /// (rollback-journal) SQLite file that opens anywhere. The copy is then checked with
    /// `PRAGMA integrity_check`.
    ///
    /// Restoring is a file copy with the service stopped (docs/OPERATIONS.md, "Backup and
    /// restore").
    /// - Throws: ``StoreError`` if `path` exists already or the copy fails; a half-made copy is
    ///   removed.
    public func backup(to path: String) async throws -> StoreBackupResult {
        let start = ContinuousClock.now
        let pool = self.pool
        return try await StoreError.mappingAsync {
            guard !FileManager.default.fileExists(atPath: path) else {
                throw StoreError(
                    code: .openFailed,
                    message: "the backup file \(path) exists already; choose a new name"
                )
            }
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            do {
                let integrity: String = try await Task.detached {
                    let copy = try DatabaseQueue(path: path)
                    try pool.backup(to: copy)
                    let result = try copy.read { db in
                        try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
                    }
                    try copy.close()
                    return result
                }.value
                let size =
                    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
                return StoreBackupResult(
                    path: path,
                    sizeInBytes: size,
                    integrity: integrity,
                    duration: ContinuousClock.now - start
                )
            } catch {
                try? FileManager.default.removeItem(atPath: path)
                throw error
            }
        }
    }

    /// The database's size on disk: the main file plus its write-ahead log.
    public func sizeInBytes() -> Int64 {
        [configuration.path, configuration.path + "-wal"].reduce(Int64(0)) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value
            return total + (size ?? 0)
        }
    }
}

extension Store {
    /// Bytes SQLite has allocated in this process, for every store and connection together: page
    /// caches (up to ``Configuration/pageCacheKiB`` per connection), prepared statements, schema.
    /// Exported as `refundmesh_sqlite_memory_bytes`, so that a service's resident memory can be
    /// told apart from what its caches are allowed to hold (docs/PERFORMANCE.md, memory).
    public static var sqliteMemoryInUse: Int64 { Int64(sqlite3_memory_used()) }
}
