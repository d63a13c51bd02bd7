import Foundation
import KiemStore

/// `kiem.restored` in the data folder: the store was restored from a backup
/// (`kiemd --restore`) or is being rebuilt from peers (`kiemd
/// --rebuild-from-peers`), and may lack ops this node signed. While it is
/// there, the node signs nothing until a peer has said how far the node's
/// own log goes (``OwnLogGate``); the node removes it once it caught up.
/// Its text says why it is there, for the operator.
struct RestoreMark: Sendable {
    /// The file.
    let path: String
    /// Why it is there ("restored from /backups/uwv-1.kiem on 2026-05-02 10:14 UTC").
    let reason: String

    /// The mark at `path`, nil if there is none.
    /// - Throws: ``NodeStartupError`` when it exists and cannot be read.
    static func load(path: String) throws -> RestoreMark? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            return RestoreMark(path: path, reason: text.isEmpty ? "restored" : text)
        } catch {
            throw NodeStartupError("cannot read \(path) (a restored store's mark): \(error.localizedDescription)")
        }
    }

    /// Writes the mark durably (a temporary file, flushed, renamed).
    static func write(path: String, reason: String) throws -> RestoreMark {
        try StoreFile.install(at: path, replacing: true) { temporary in
            try Data((reason + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
        }
        return RestoreMark(path: path, reason: reason)
    }

    /// Removes the mark: the store caught up with the node's own log.
    func remove() throws {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch CocoaError.fileNoSuchFile {
            return
        }
    }
}
