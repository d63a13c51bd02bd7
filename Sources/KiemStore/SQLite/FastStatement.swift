import Foundation
import GRDB
import GRDBSQLite

/// A cached GRDB statement bound and stepped through the SQLite C API.
///
/// The apply path runs a handful of statements per op; GRDB's general
/// argument handling (`StatementArguments`, `DatabaseValue`) cost more than
/// SQLite's own work for them. The statement still comes from GRDB's cache,
/// lives inside GRDB's transaction, and its errors become `DatabaseError`.
/// Changes made this way bypass GRDB's change tracking, so the apply path
/// reports them with `Database.notifyChanges(in:)` before it commits.
struct FastStatement {
    private let db: Database
    private let handle: SQLiteStatement

    init(_ db: Database, _ sql: String) throws {
        self.db = db
        self.handle = try db.cachedStatement(sql: sql).sqliteStatement
    }

    func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ index: Int32, _ value: Bool) throws {
        try check(sqlite3_bind_int64(handle, index, value ? 1 : 0))
    }

    func bind(_ index: Int32, _ value: String) throws {
        var value = value
        try value.withUTF8 { utf8 in
            try check(sqlite3_bind_text(handle, index, utf8.baseAddress, Int32(utf8.count), transient))
        }
    }

    func bind(_ index: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            // A zero-length blob must not bind as NULL.
            try check(sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), transient))
        }
    }

    func bind(_ index: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { raw in
            try check(sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), transient))
        }
    }

    /// Binds an initiative id's 16-byte column form without allocating.
    func bind(_ index: Int32, _ id: (UInt64, UInt64)) throws {
        var bytes = (id.0.bigEndian, id.1.bigEndian)
        try withUnsafeBytes(of: &bytes) { raw in
            try check(sqlite3_bind_blob(handle, index, raw.baseAddress, 16, transient))
        }
    }

    func bindNull(_ index: Int32) throws {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Runs the statement to completion and resets it.
    func execute() throws {
        defer { sqlite3_reset(handle) }
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_DONE: return
            case SQLITE_ROW: continue
            case let code: throw error(code)
            }
        }
    }

    /// The first column of the first row as an integer, nil if there is no
    /// row or it is NULL; resets the statement.
    func fetchInt64() throws -> Int64? {
        defer { sqlite3_reset(handle) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            return sqlite3_column_type(handle, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 0)
        case SQLITE_DONE:
            return nil
        case let code:
            throw error(code)
        }
    }

    private func check(_ code: Int32) throws {
        if code != SQLITE_OK { throw error(code) }
    }

    private func error(_ code: Int32) -> DatabaseError {
        let message = db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: String(cString: sqlite3_sql(handle)))
    }
}

/// SQLite copies bound text and blobs (`SQLITE_TRANSIENT`).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
