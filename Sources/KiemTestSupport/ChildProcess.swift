package import Foundation
import KiemCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process a test starts and waits on without blocking a thread of the
/// cooperative pool (the node under test answers on it): its exit comes
/// through `Process.terminationHandler` and its output through a reader
/// thread per pipe, and each wakes the tasks that wait. A process still
/// running when this object goes away is killed (SIGKILL), so a failing test
/// leaves none behind.
///
/// ```swift
/// let child = try ChildProcess(url, ["--check-config", "--config", file])
/// let outcome = try await child.finished()
/// ```
package final class ChildProcess: @unchecked Sendable {
    /// What a finished run printed, and its exit status.
    package struct Outcome: Sendable, CustomStringConvertible {
        /// The exit status (or the signal that ended it).
        package var status: Int32
        /// Standard output; with `mergingStandardError`, both outputs in the order written.
        package var stdout: String
        /// Standard error; empty with `mergingStandardError`.
        package var stderr: String

        package var description: String { "exit status \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    private struct State {
        var stdout = Data()
        var stderr = Data()
        var openPipes: Int
        var status: Int32?
    }

    // `@unchecked Sendable`: `process` is only started in init and then read
    // for its pid; everything that changes is in `state`, behind a mutex.
    private let process = Process()
    private let state: Mutex<State>
    /// Raised on every change of `state`.
    private let changes = ChangeSignal()
    /// What the process is, for messages.
    package let name: String

    /// Starts `executable arguments…`.
    /// - Parameters:
    ///   - environment: the whole environment; nil for the test's.
    ///   - input: written to standard input, which is then closed; without
    ///     it, standard input is the test's.
    ///   - mergingStandardError: one pipe for both outputs (kept as `stdout`).
    ///   - onOutput: takes each chunk of output instead of it being kept
    ///     (for a daemon whose log a test reads from a file).
    package init(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, input: Data? = nil,
        mergingStandardError: Bool = true, onOutput: (@Sendable (Data) -> Void)? = nil
    ) throws {
        name = ([executable.lastPathComponent] + arguments).joined(separator: " ")
        let pipes = mergingStandardError ? [Pipe()] : [Pipe(), Pipe()]
        state = Mutex(State(openPipes: pipes.count))
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = pipes[0]
        process.standardError = pipes.last
        let standardInput = input.map { _ in Pipe() }
        if let standardInput { process.standardInput = standardInput }
        process.terminationHandler = { [weak self] process in
            let status = process.terminationStatus
            self?.change { $0.status = status }
        }
        try process.run()
        for (index, pipe) in pipes.enumerated() {
            pipe.fileHandleForReading.readUntilEnd({ [weak self] data in
                if let onOutput { onOutput(data) }
                self?.change { state in
                    guard onOutput == nil else { return }
                    if index == 0 { state.stdout.append(data) } else { state.stderr.append(data) }
                }
            }, end: { [weak self] in
                self?.change { $0.openPipes -= 1 }
            })
        }
        if let input, let standardInput {
            try? standardInput.fileHandleForWriting.write(contentsOf: input)
            try? standardInput.fileHandleForWriting.close()
        }
    }

    deinit {
        if !hasExited { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// The process id.
    package var processIdentifier: Int32 { process.processIdentifier }

    /// Whether the process exited.
    package var hasExited: Bool { state.withLock { $0.status != nil } }

    /// Whether it exited and both outputs ended.
    package var isFinished: Bool { state.withLock { $0.status != nil && $0.openPipes == 0 } }

    /// Standard output so far.
    package var stdout: String { state.withLock { String(decoding: $0.stdout, as: UTF8.self) } }

    /// What it printed so far, and its exit status once it exited (-1 before).
    package var outcome: Outcome {
        state.withLock { state in
            Outcome(status: state.status ?? -1, stdout: String(decoding: state.stdout, as: UTF8.self),
                    stderr: String(decoding: state.stderr, as: UTF8.self))
        }
    }

    /// Sends `signal` (SIGTERM, SIGINT, SIGKILL, …) unless it exited already.
    package func signal(_ signal: Int32) {
        if !hasExited { Foundation.kill(process.processIdentifier, signal) }
    }

    /// Returns once `done` holds, checked again after every chunk of output
    /// and at the exit; or when the task is cancelled.
    package func wait(until done: () -> Bool) async {
        while !Task.isCancelled {
            let generation = changes.generation
            if done() { return }
            await changes.wait(after: generation)
        }
    }

    /// Waits for the exit and the end of the output.
    /// - Throws: ``DeadlineExceeded`` after `seconds`; the process is then
    ///   killed (SIGKILL), and the message says what it printed.
    package func finished(seconds: Double = 60) async throws -> Outcome {
        do {
            return try await withDeadline(seconds: seconds, "\(name) to finish") { [self] in
                await wait { isFinished }
                try Task.checkCancellation()
                return outcome
            }
        } catch is DeadlineExceeded {
            signal(SIGKILL)
            throw DeadlineExceeded(what: "\(name) to finish within \(seconds) s (killed); \(outcome)")
        }
    }

    /// Applies `change` and wakes every waiter.
    private func change(_ change: (inout State) -> Void) {
        state.withLock { change(&$0) }
        changes.notify()
    }
}
