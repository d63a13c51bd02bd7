/// A wait that took longer than it may.
package struct DeadlineExceeded: Error, CustomStringConvertible {
    /// What was waited for.
    package var what: String

    /// Names what was waited for.
    package init(what: String) {
        self.what = what
    }

    package var description: String { "timed out waiting for \(what)" }
}

/// Runs `operation`, which waits on a condition, and cancels it with
/// ``DeadlineExceeded`` if it has not finished `seconds` from now. The
/// operation must end when cancelled.
package func withDeadline<T: Sendable>(
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
