import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One file that a PKI operation writes.
public struct PKIFile: Hashable, Sendable {
    /// Where the file goes.
    public var path: String
    /// The PEM text.
    public var contents: String
    /// POSIX permissions the file is created with (`0o600` for private keys).
    public var permissions: UInt16

    public init(path: String, contents: String, permissions: UInt16) {
        self.path = path
        self.contents = contents
        self.permissions = permissions
    }
}

/// Writes key and certificate files safely:
/// - without `force`, refuses (before writing anything) if any target exists,
///   and creates each file with `O_CREAT | O_EXCL` so a file that appears in
///   the meantime is not clobbered either;
/// - with `force`, writes a temporary file next to the target and renames it
///   over the old one, so a reader never sees half a key;
/// - a file is *created* with its final permissions (never chmod-ed after the
///   secret is in it), and fsync-ed before it counts as written.
enum PKIFileWriter {
    /// Creates `directory` (and parents) if needed; a new folder gets mode 0700.
    static func ensureDirectory(_ directory: String) throws(PKIError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw .writeFailed(path: directory, reason: "it exists and is not a folder")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw .writeFailed(path: directory, reason: "\(error)")
        }
    }

    static func write(_ files: [PKIFile], force: Bool) throws(PKIError) {
        if !force {
            for file in files where Self.exists(file.path) {
                throw .fileExists(path: file.path)
            }
        }
        for file in files {
            if force {
                try Self.replace(file)
            } else {
                try Self.create(file, at: file.path)
            }
        }
    }

    private static func exists(_ path: String) -> Bool {
        withUnsafeTemporaryAllocation(of: stat.self, capacity: 1) { info in
            lstat(path, info.baseAddress!) == 0
        }
    }

    private static func create(_ file: PKIFile, at path: String) throws(PKIError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(file.permissions))
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { throw .fileExists(path: file.path) }
            throw .writeFailed(path: path, reason: String(cString: strerror(code)))
        }
        var failure: PKIError?
        let bytes = Array(file.contents.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { buffer in
                Glibc_write(descriptor, buffer.baseAddress, buffer.count)
            }
            if written < 0 {
                if errno == EINTR { continue }
                failure = .writeFailed(path: path, reason: String(cString: strerror(errno)))
                break
            }
            offset += written
        }
        if failure == nil, fsync(descriptor) != 0 {
            failure = .writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        if close(descriptor) != 0, failure == nil {
            failure = .writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        if let failure {
            unlink(path)
            throw failure
        }
    }

    private static func replace(_ file: PKIFile) throws(PKIError) {
        let directory = (file.path as NSString).deletingLastPathComponent
        let name = (file.path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try create(file, at: temporary)
        guard rename(temporary, file.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .writeFailed(path: file.path, reason: reason)
        }
    }
}

/// `write(2)`, named apart from the many Swift `write` methods in scope.
private func Glibc_write(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.write(descriptor, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(descriptor, buffer, count)
    #else
    return Glibc.write(descriptor, buffer, count)
    #endif
}
