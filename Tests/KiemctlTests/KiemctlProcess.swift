import Foundation
import KiemTestSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The built `kiemctl` run as a user runs it: arguments and environment in,
/// exit status and standard output and error (apart) out. Output is read as
/// it arrives, so a test can wait for a line of a command that is still
/// running (`watch`) and then interrupt it.
final class KiemctlProcess: @unchecked Sendable {
    /// What a finished run printed.
    struct Outcome: Sendable, CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Standard output parsed as one JSON object.
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
                throw Failure.notAnObject(stdout)
            }
            return object
        }

        var description: String { "exit status \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    /// Why a run could not be made or read.
    enum Failure: Error, CustomStringConvertible {
        case notBuilt
        case notAnObject(String)

        var description: String {
            switch self {
            case .notBuilt: "kiemctl was not built next to the tests (run `swift build --build-tests`)"
            case let .notAnObject(output): "standard output is not one JSON object: \(output)"
            }
        }
    }

    private struct State {
        var stdout = Data()
        var stderr = Data()
        var openPipes = 2
        var exited = false
    }

    // `@unchecked Sendable`: `process` is started in init and afterwards only
    // signalled and read after its exit; `state` is behind a mutex.
    private let process = Process()
    private let state = Mutex(State())
    /// One element per change of `state`.
    private let changes: AsyncStream<Void>

    /// Starts `kiemctl arguments…`. The environment is the test's, without
    /// `KIEM_SOCKET`, plus `environment`.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        guard let kiemctl = BuiltExecutable("kiemctl") else { throw Failure.notBuilt }
        let (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.changes = changes
        process.executableURL = kiemctl.url
        process.arguments = arguments
        var inherited = ProcessInfo.processInfo.environment
        inherited["KIEM_SOCKET"] = nil
        process.environment = inherited.merging(environment) { $1 }
        let (standardOutput, standardError) = (Pipe(), Pipe())
        process.standardOutput = standardOutput
        process.standardError = standardError
        process.terminationHandler = { [weak self] _ in
            self?.state.withLock { $0.exited = true }
            changed.yield()
        }
        try process.run()
        for (pipe, isStandardOutput) in [(standardOutput, true), (standardError, false)] {
            pipe.fileHandleForReading.readUntilEnd({ [weak self] data in
                self?.state.withLock { state in
                    if isStandardOutput { state.stdout.append(data) } else { state.stderr.append(data) }
                }
                changed.yield()
            }, end: { [weak self] in
                self?.state.withLock { $0.openPipes -= 1 }
                changed.yield()
            })
        }
    }

    /// Runs `kiemctl arguments…` to its end.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        try await KiemctlProcess(arguments, environment: environment).finished()
    }

    /// Standard output so far.
    var stdout: String { state.withLock { String(decoding: $0.stdout, as: UTF8.self) } }

    /// Returns once standard output satisfies `condition`.
    /// - Throws: after `seconds`, or when kiemctl ended first.
    func waitForOutput(_ what: String, seconds: Double = 30, _ condition: @escaping @Sendable (String) -> Bool) async throws {
        try await withDeadline(seconds: seconds, "\(what) from kiemctl") { [self] in
            await wait { condition(self.stdout) || self.isFinished }
            guard condition(stdout) else { throw DeadlineExceeded(what: "\(what); kiemctl ended: \(outcome)") }
        }
    }

    /// Sends SIGINT, as Ctrl-C does.
    func interrupt() {
        kill(process.processIdentifier, SIGINT)
    }

    /// Waits for the exit and the end of both outputs.
    func finished(seconds: Double = 60) async throws -> Outcome {
        let what = "kiemctl \(process.arguments ?? []) to finish"
        do {
            return try await withDeadline(seconds: seconds, what) { [self] in
                await wait { self.isFinished }
                return outcome
            }
        } catch is DeadlineExceeded {
            let (exited, openPipes) = state.withLock { ($0.exited, $0.openPipes) }
            throw DeadlineExceeded(what: "\(what) (exited: \(exited), open pipes: \(openPipes), running: \(process.isRunning)); \(outcome)")
        }
    }

    private var isFinished: Bool { state.withLock { $0.exited && $0.openPipes == 0 } }

    /// What it printed so far, and its exit status once it exited.
    private var outcome: Outcome {
        state.withLock { state in
            Outcome(status: state.exited ? process.terminationStatus : -1, stdout: String(decoding: state.stdout, as: UTF8.self),
                    stderr: String(decoding: state.stderr, as: UTF8.self))
        }
    }

    /// Returns once `done` holds, re-checking it on every change; or when
    /// the task is cancelled.
    private func wait(until done: @Sendable () -> Bool) async {
        var iterator = changes.makeAsyncIterator()
        while !done() {
            guard await iterator.next() != nil else { return }
        }
    }
}
