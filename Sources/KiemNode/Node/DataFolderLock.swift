import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KiemConfiguration

/// An exclusive advisory lock (`flock`) on `kiemd.lock` in the data folder,
/// held for the node's lifetime, so that two daemons never share one store.
/// The kernel drops it when the process dies, also after `kill -9`.
final class DataFolderLock: Sendable {
    let path: String
    private let descriptor: Int32

    /// Takes the lock and writes this process's pid into the file.
    /// - Throws: ``NodeStartupError`` when another process holds it.
    init(path: String) throws(NodeStartupError) {
        self.path = path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw NodeStartupError("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            let who = holder.flatMap { $0.isEmpty ? nil : " (pid \($0))" } ?? ""
            throw NodeStartupError("the data folder \((path as NSString).deletingLastPathComponent) is in use by another kiemd\(who); stop it first, or give this one another data_dir")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
        self.descriptor = descriptor
    }

    /// Releases the lock.
    func release() {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

extension DataFolderLock {
    /// Creates the data folder of `configuration` if needed (mode 0700) and
    /// takes its lock.
    static func lockingDataFolder(of configuration: NodeConfiguration) throws(NodeStartupError) -> DataFolderLock {
        do {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: NSNumber(value: 0o700)])
        } catch {
            throw NodeStartupError("cannot create the data folder \(configuration.dataDirectory): \(error.localizedDescription)")
        }
        return try DataFolderLock(path: configuration.lockPath)
    }
}

/// Why a node could not start, as one sentence for the operator.
public struct NodeStartupError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
