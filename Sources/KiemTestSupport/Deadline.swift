/// A wait that took longer than it may.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    /// What was waited for.
    public var what: String

    /// Names what was waited for.
    public init(what: String) {
        self.what = what
    }

    public var description: String { "timed out waiting for \(what)" }
}

/// Runs `operation`, which waits on a condition, and cancels it with
/// ``DeadlineExceeded`` if it has not finished `seconds` from now. The
/// operation must end when cancelled.
public func withDeadline<T: Sendable>(
    seconds: Double, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else { throw DeadlineExceeded(what: what) }
        return result
    }
}
