import GRDB
import Synchronization

extension KiemStore {
    /// Runs raw SQL in a write transaction, bypassing every rule of the
    /// store. For tests that build damaged or future stores, and for manual
    /// repairs; never called by the daemon.
    func executeUnchecked(_ sql: String) throws {
        try writeLock.withLock { _ in
            defer {
                initiativeCache.removeAll()
                heldKeyIndex.removeAll()
                portfolioCache.removeAll()
            }
            try perform { pool in try pool.write { db in try db.execute(sql: sql) } }
        }
    }

    /// FTS5's integrity check of the search index (throws if it is damaged).
    func checkSearchIndex() throws {
        try executeUnchecked("INSERT INTO initiative_fts (initiative_fts) VALUES ('integrity-check')")
    }
}
