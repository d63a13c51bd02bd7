public import Foundation
public import KiemConfiguration
public import KiemStore

/// `kiemd --restore FILE` and `kiemd --rebuild-from-peers`: put a backup in
/// place as the node's store, or mark the store for a rebuild, while no
/// kiemd runs on the data folder.
public enum StoreRestore {
    /// Installs the backup `file` as the store of the node `configuration`
    /// describes, and marks it restored (``RestoreMark``): the node then
    /// signs nothing until a peer has said how far its own log goes and it
    /// has pulled its own ops back, so that it never signs a seq twice.
    ///
    /// `file` is checked first, without writing anything (a Kiem store,
    /// not from a newer kiemd, no `-wal` beside it). The data folder's lock
    /// is held throughout, so a running kiemd is refused. The copy goes to
    /// a temporary file beside the store, is flushed and renamed over it;
    /// the old store's `-wal` and `-shm` files are removed first.
    /// - Parameters:
    ///   - replacing: whether an existing store may be replaced (`--force`).
    ///   - now: when the restore happens, for the mark.
    /// - Returns: what the installed store holds.
    /// - Throws: ``NodeStartupError`` saying what to do.
    public static func restore(
        _ file: String, configuration: NodeConfiguration, replacing: Bool, now: Date = Date()
    ) throws -> StoreBackup {
        let backup: StoreBackup
        do {
            backup = try KiemStore.inspectBackup(path: file)
        } catch {
            throw NodeStartupError("\(file) cannot be restored: \(error)")
        }
        let lock = try DataFolderLock.lockingDataFolder(of: configuration)
        defer { lock.release() }
        let store = configuration.storePath
        let existing = (try? FileManager.default.attributesOfItem(atPath: store)[.size] as? NSNumber)?.intValue ?? 0
        guard replacing || existing == 0 else {
            throw NodeStartupError("""
                \(store) holds a store already; give --force to replace it (what it holds and its peers lack is \
                lost then: if kiemd can still start on it, take a backup first with kiemctl backup)
                """)
        }
        // The mark first: after a crash before the rename, the old store is
        // merely held back until a peer reports, never the new one let loose.
        _ = try mark(configuration, reason: "restored from \(file) on \(Self.timestamp(now))")
        do {
            try StoreFile.install(at: store, replacing: true) { temporary in
                try FileManager.default.removeItem(atPath: temporary)
                try FileManager.default.copyItem(atPath: file, toPath: temporary)
                try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: 0o600)], ofItemAtPath: temporary)
                // A -wal left by the old store would be replayed into the new one.
                for stale in [store + "-wal", store + "-shm"] where FileManager.default.fileExists(atPath: stale) {
                    try FileManager.default.removeItem(atPath: stale)
                }
            }
        } catch {
            throw NodeStartupError("cannot install \(file) as \(store): \(error)")
        }
        return StoreBackup(path: store, sizeBytes: backup.sizeBytes, counts: backup.counts, versionVector: backup.versionVector)
    }

    /// Marks the store of the node `configuration` describes as rebuilt
    /// from peers (``RestoreMark``): for a node whose store was lost, started
    /// on an empty one with its own certificate. Called by ``KiemNode/open(_:rebuildFromPeers:logger:)``
    /// with the data folder locked.
    static func markRebuild(_ configuration: NodeConfiguration, now: Date = Date()) throws -> RestoreMark {
        try mark(configuration, reason: "started with --rebuild-from-peers on \(Self.timestamp(now))")
    }

    private static func mark(_ configuration: NodeConfiguration, reason: String) throws -> RestoreMark {
        do {
            return try RestoreMark.write(path: configuration.restoreMarkPath, reason: reason)
        } catch {
            throw NodeStartupError("cannot write \(configuration.restoreMarkPath): \(error)")
        }
    }

    /// `2026-05-02 10:14 UTC`.
    private static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
