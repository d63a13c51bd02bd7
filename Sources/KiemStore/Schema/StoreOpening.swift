import Foundation
import GRDB

/// The read-only look at an existing file that ``KiemStore/open(path:)``
/// takes before it writes anything.
enum StoreOpening {
    /// Throws unless the file at `path` is absent, empty, or a Kiem store this
    /// build can migrate. Writes nothing: when no WAL file is present the file
    /// is opened immutable, so no `-wal` or `-shm` file is created either.
    static func checkExisting(path: String) throws {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: path) else { return }
        let size: Int
        do {
            let attributes = try fileManager.attributesOfItem(atPath: path)
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw StoreError.io(path: path, reason: "cannot read the file: \(error.localizedDescription)")
        }
        guard size > 0 else { return }
        let walPath = path + "-wal"
        let walSize = ((try? fileManager.attributesOfItem(atPath: walPath))?[.size] as? NSNumber)?.intValue ?? 0
        let hasWAL = walSize > 0

        if !hasWAL { try checkHeader(path: path, size: size) }

        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "kiem.store.check"
        let unknown: [String]
        let foreignTables: [String]
        do {
            let queue = try DatabaseQueue(path: hasWAL ? path : immutableURI(path), configuration: configuration)
            defer { try? queue.close() }
            (unknown, foreignTables) = try queue.read { db in
                let known = Set(Migrations.migrator.migrations)
                let applied = try Migrations.migrator.appliedIdentifiers(db)
                let tables = try String.fetchAll(db, sql: """
                    SELECT name FROM sqlite_master
                    WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                    ORDER BY name
                    """)
                // Read the version vector to touch real data pages too.
                if applied.contains("v1-op-log") {
                    _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM version_vector")
                }
                return (applied.subtracting(known).sorted(), applied.isEmpty ? tables : [])
            }
        } catch let error as DatabaseError {
            let reason = error.message ?? "\(error.resultCode)"
            switch error.resultCode.primaryResultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT, .SQLITE_ERROR, .SQLITE_FORMAT:
                throw StoreError.corrupt(path: path, reason: reason)
            default:
                throw StoreError.io(path: path, reason: reason)
            }
        }
        guard unknown.isEmpty else {
            throw StoreError.newerSchema(path: path, unknownMigrations: unknown)
        }
        guard foreignTables.isEmpty else {
            throw StoreError.corrupt(
                path: path,
                reason: "it is a SQLite database of another program (tables: \(foreignTables.joined(separator: ", ")))")
        }
    }

    /// Compares the page count in the SQLite header with the file size, which
    /// catches truncation that a query of the first page would not. Only
    /// meaningful without a WAL file, whose frames may still extend the file.
    private static func checkHeader(path: String, size: Int) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError.io(path: path, reason: "cannot open the file for reading")
        }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
        guard header.count == 100, header.starts(with: Array("SQLite format 3\0".utf8)) else {
            throw StoreError.corrupt(path: path, reason: "file is not a database (no SQLite header)")
        }
        func integer(at offset: Int) -> Int {
            header[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        let rawPageSize = Int(header[16]) << 8 | Int(header[17])
        let pageSize = rawPageSize == 1 ? 65536 : rawPageSize
        let pageCount = integer(at: 28)
        // The in-header size is valid only when the change counter matches
        // the version-valid-for number (https://sqlite.org/fileformat.html).
        guard pageCount > 0, integer(at: 24) == integer(at: 92) else { return }
        if size < pageCount * pageSize {
            throw StoreError.corrupt(
                path: path,
                reason: "file is truncated: its header counts \(pageCount) pages of \(pageSize) bytes (\(pageCount * pageSize) bytes) but the file has \(size) bytes")
        }
    }

    /// A SQLite URI that opens `path` read-only and immutable: no locks and
    /// no `-wal` or `-shm` files.
    static func immutableURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let escaped = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
        return "file:\(escaped)?mode=ro&immutable=1"
    }
}
