import Foundation
import GRDB
import KiemCore

extension KiemStore {
    /// Writes a consistent copy of the store to `path` with SQLite's online
    /// backup API, while the store keeps being written: the copy is taken in
    /// one read transaction (WAL), so it shows the store as one committed
    /// batch left it. The copy is a single file in rollback-journal mode (no
    /// `-wal` beside it), put in place by ``StoreFile/install(at:replacing:_:)``.
    /// Blocks for as long as the copy takes: call it from a thread pool.
    /// - Parameter replacing: whether an existing file at `path` may be replaced.
    /// - Returns: what the copy holds, read from the copy itself.
    /// - Throws: ``StoreFile/Exists``, or ``StoreError``.
    public func backup(to path: String, replacing: Bool) throws -> StoreBackup {
        try StoreFile.install(at: path, replacing: replacing) { temporary in
            let (counts, vector) = try perform { pool in
                let copy = try DatabaseQueue(path: temporary)
                defer { try? copy.close() }
                try pool.backup(to: copy)
                try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
                let read = try copy.read { db in (try StoreReads.counts(in: db), try StoreReads.versionVector(in: db)) }
                try copy.close()
                return read
            }
            let size = try FileManager.default.attributesOfItem(atPath: temporary)[.size] as? NSNumber
            return StoreBackup(path: path, sizeBytes: size?.uint64Value ?? 0, counts: counts, versionVector: vector)
        }
    }

    /// Checks, without writing anything, that the file at `path` is a Kiem
    /// store this build can open: an SQLite database with Kiem's schema, not
    /// migrated by a newer `kiemd`, and whole (no `-wal` file beside it that
    /// a copy would leave behind).
    /// - Returns: what it holds.
    /// - Throws: ``StoreError/corrupt(path:reason:)``, ``StoreError/newerSchema(path:unknownMigrations:)``
    ///   or ``StoreError/io(path:reason:)``.
    public static func inspectBackup(path: String) throws -> StoreBackup {
        let fileManager = FileManager.default
        let size = (try? fileManager.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value
        guard let size else { throw StoreError.io(path: path, reason: "no such file") }
        guard size > 0 else { throw StoreError.corrupt(path: path, reason: "the file is empty") }
        let walSize = (try? fileManager.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        guard walSize == 0 else {
            throw StoreError.corrupt(path: path, reason: """
                \(path)-wal beside it holds part of its content, which a copy of the file alone would lose; \
                make backups with kiemctl backup
                """)
        }
        try StoreOpening.checkExisting(path: path)
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "kiem.store.backup"
        do {
            // Immutable: no lock and no -wal or -shm file next to the backup.
            let queue = try DatabaseQueue(path: StoreOpening.immutableURI(path), configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                guard try Migrations.migrator.appliedIdentifiers(db).contains("v1-op-log") else {
                    throw StoreError.corrupt(path: path, reason: "it is an SQLite database without a Kiem op log")
                }
                return StoreBackup(path: path, sizeBytes: size, counts: try StoreReads.counts(in: db),
                                   versionVector: try StoreReads.versionVector(in: db))
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
