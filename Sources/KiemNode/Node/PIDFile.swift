import Foundation

/// `kiemd.pid` in the data folder: the daemon's process id while it runs,
/// for scripts and for `kiemctl demo stop`. Written once the node is open,
/// removed when it stops; after `kill -9` a stale file stays behind, which
/// the next start replaces (the data folder lock, not this file, keeps a
/// second daemon out).
enum PIDFile {
    static func write(path: String) throws {
        do {
            try "\(ProcessInfo.processInfo.processIdentifier)\n".write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw NodeStartupError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func remove(path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
