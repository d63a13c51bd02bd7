public import KiemCore

/// Why the store refused to open or to apply a batch. Every case that
/// concerns the database file names it, and says why in words.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not a readable Kiem database: not SQLite at all,
    /// truncated, damaged, or a SQLite database of another program.
    case corrupt(path: String, reason: String)
    /// The file was migrated by a newer `kiemd` with migrations this build
    /// does not know. Nothing was written.
    case newerSchema(path: String, unknownMigrations: [String])
    /// A batch skipped part of an origin's log: the store holds every op of
    /// `origin` up to `expected - 1`, and the batch offered `got` next. The
    /// whole batch was rolled back.
    case gap(origin: NodeID, expected: UInt64, got: UInt64)
    /// SQLite or the file system failed (disk full, permissions, locked, …).
    case io(path: String, reason: String)
    /// The store was closed.
    case closed(path: String)

    /// A stable code for each case, so the error can cross the wire and
    /// become an exit status.
    public enum Code: String, Sendable {
        case corrupt = "store-corrupt"
        case newerSchema = "store-newer-schema"
        case gap = "store-gap"
        case io = "store-io"
        case closed = "store-closed"
    }

    /// The stable code of this error.
    public var code: Code {
        switch self {
        case .corrupt: .corrupt
        case .newerSchema: .newerSchema
        case .gap: .gap
        case .io: .io
        case .closed: .closed
        }
    }

    public var description: String {
        switch self {
        case let .corrupt(path, reason):
            "\(path) is not a Kiem database: \(reason)"
        case let .newerSchema(path, unknown):
            "\(path) was written by a newer kiemd (unknown migrations: \(unknown.joined(separator: ", "))); upgrade kiemd"
        case let .gap(origin, expected, got):
            "ops from \(origin) must arrive in order: expected seq \(expected), got \(got); nothing in the batch was applied"
        case let .io(path, reason):
            "\(path): \(reason)"
        case let .closed(path):
            "\(path): the store is closed"
        }
    }
}
