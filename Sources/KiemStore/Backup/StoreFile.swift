import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A store file put in place whole, as a backup or a restore writes it: the
/// content goes into a temporary file beside the destination, is flushed to
/// disk, and is renamed over the destination; then the folder is flushed, so
/// that after a crash the destination is either the old file or the whole
/// new one, never half of it.
public enum StoreFile {
    /// The destination exists and was not to be replaced.
    public struct Exists: Error, Sendable, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path) exists; give --force to replace it" }
    }

    /// Creates a temporary file (mode 0600) beside `destination`, has `fill`
    /// write it, flushes it to disk and renames it to `destination`.
    /// - Parameter replacing: whether an existing `destination` may be replaced.
    /// - Throws: ``Exists`` (before anything is written), ``StoreError/io(path:reason:)``,
    ///   or what `fill` throws; the temporary file is removed then.
    public static func install<T>(
        at destination: String, replacing: Bool, _ fill: (_ temporary: String) throws -> T
    ) throws -> T {
        let fileManager = FileManager.default
        if !replacing, fileManager.fileExists(atPath: destination) { throw Exists(path: destination) }
        let folder = (destination as NSString).deletingLastPathComponent
        let name = (destination as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard fileManager.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: NSNumber(value: 0o600)]) else {
            throw StoreError.io(path: temporary, reason: "cannot create the file: \(String(cString: strerror(errno)))")
        }
        do {
            let result = try fill(temporary)
            try synchronize(temporary)
            guard rename(temporary, destination) == 0 else {
                throw StoreError.io(path: destination, reason: "cannot rename \(temporary) to it: \(String(cString: strerror(errno)))")
            }
            try synchronize(folder.isEmpty ? "." : folder)
            return result
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Flushes a file or folder to disk (`fsync`).
    private static func synchronize(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StoreError.io(path: path, reason: "cannot open it to flush it: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw StoreError.io(path: path, reason: "cannot flush it to disk: \(String(cString: strerror(errno)))")
        }
    }
}
