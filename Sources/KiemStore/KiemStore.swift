import Foundation
import GRDB
import Synchronization
import KiemCore

/// The SQLite replica: every op received, the initiatives they build, the
/// version vector, held and rejected ops, and search.
///
/// One file, in WAL mode, behind a GRDB `DatabasePool`: one writer and
/// concurrent readers. ``apply(_:)`` writes a whole batch in one transaction
/// with `synchronous = FULL`, so a batch is either wholly durable when it
/// returns or not applied at all. Methods block the calling thread; call them
/// off any latency-sensitive executor.
public final class KiemStore: Sendable {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    /// The page size of new store files.
    static let pageSize = 16_384
    /// Recently applied initiatives, to spare replays (see ``InitiativeCache``).
    let initiativeCache = InitiativeCache(capacity: 4_096)
    /// The keys held ops wait for, between batches (see ``HeldKeyIndex``).
    let heldKeyIndex = HeldKeyIndex()
    /// Every initiative's overview facts, once asked for (see ``PortfolioCache``).
    let portfolioCache = PortfolioCache()
    /// Held around every write that goes through the apply path or
    /// changes tables behind it.
    let writeLock = Mutex(())
    /// The stored revocations, as the rules read them (see
    /// ``addRevocation(_:receivedMillis:)``).
    let revocationCutoffs: Mutex<RevocationCutoffs>

    private init(path: String, pool: DatabasePool, revocations: RevocationCutoffs) {
        self.path = path
        self.pool = pool
        self.revocationCutoffs = Mutex(revocations)
    }

    /// Opens the store at `path`, creating it if there is no file.
    ///
    /// An existing file is first checked read-only, so that nothing is
    /// written when it is not a Kiem database (``StoreError/corrupt(path:reason:)``)
    /// or was migrated by a newer `kiemd` (``StoreError/newerSchema(path:unknownMigrations:)``).
    /// Only then is it opened for writing and migrated.
    public static func open(path: String) throws -> KiemStore {
        try StoreOpening.checkExisting(path: path)
        do {
            var configuration = Configuration()
            configuration.label = "kiem.store"
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                // Only takes effect when the file is created (stores created
                // with 8 KiB pages keep them). Initiative rows (~1.5 KiB) and
                // create ops (~1 KiB) left half of 4 KiB pages empty; 16 KiB
                // pages took about 8 % less CPU than 8 KiB ones in the apply
                // benchmark (fewer splits, B-tree levels and WAL frames);
                // 32 KiB ones were no better.
                try db.execute(sql: "PRAGMA page_size = \(KiemStore.pageSize)")
            }
            let pool = try DatabasePool(path: path, configuration: configuration)
            do {
                try pool.writeWithoutTransaction { db in
                    // GRDB picks NORMAL for WAL; an acknowledged batch must
                    // survive power loss, so every commit syncs the WAL.
                    try db.execute(sql: """
                        PRAGMA synchronous = FULL;
                        PRAGMA cache_size = -65536;
                        PRAGMA temp_store = MEMORY;
                        """)
                }
                try Migrations.migrator.migrate(pool)
                // Read on the writer: a read-only reader connection left open
                // would keep the WAL file after close().
                let revocations = try pool.writeWithoutTransaction(Self.revocationCutoffs(_:))
                return KiemStore(path: path, pool: pool, revocations: revocations)
            } catch {
                try? pool.close()
                throw error
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Closes the database. Later calls throw ``StoreError/closed(path:)``.
    public func close() throws {
        do {
            try pool.close()
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Runs `body` against the pool, translating errors to ``StoreError``.
    func perform<T>(_ body: (DatabasePool) throws -> T) throws -> T {
        do {
            return try body(pool)
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
