import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C (SIGINT) and SIGTERM for long-running commands (`demo`, `watch`):
/// instead of ending kiemctl at once, they cancel the command's work so that
/// it can finish cleanly (stop its nodes, end its stream).
enum Interruption {
    /// Runs `body` until it returns or SIGINT or SIGTERM arrives; a signal
    /// cancels `body`.
    /// - Returns: true if `body` finished, false if a signal came first.
    /// - Throws: what `body` throws.
    static func untilInterrupted(_ body: @escaping @Sendable () async throws -> Void) async throws -> Bool {
        let signals = [SIGINT, SIGTERM]
        let (received, continuation) = AsyncStream<Int32>.makeStream()
        let sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            for number in signals { signal(number, SIG_DFL) }
        }
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await body()
                return true
            }
            group.addTask {
                for await _ in received { return false }
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
    }
}
