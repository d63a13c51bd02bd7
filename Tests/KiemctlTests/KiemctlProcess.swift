import Foundation
import KiemTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The built `kiemctl` run as a user runs it: arguments and environment in,
/// exit status and standard output and error (apart) out. Output is read as
/// it arrives, so a test can wait for a line of a command that is still
/// running (`watch`) and then interrupt it. Waits never block a thread
/// (``ChildProcess``).
final class KiemctlProcess: Sendable {
    /// What a finished run printed.
    typealias Outcome = ChildProcess.Outcome

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

    private let child: ChildProcess

    /// Starts `kiemctl arguments…`. The environment is the test's, without
    /// `KIEM_SOCKET`, plus `environment`.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        guard let kiemctl = BuiltExecutable("kiemctl") else { throw Failure.notBuilt }
        var inherited = ProcessInfo.processInfo.environment
        inherited["KIEM_SOCKET"] = nil
        child = try ChildProcess(kiemctl.url, arguments, environment: inherited.merging(environment) { $1 },
                                 mergingStandardError: false)
    }

    /// Runs `kiemctl arguments…` to its end.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        try await KiemctlProcess(arguments, environment: environment).finished()
    }

    /// Standard output so far.
    var stdout: String { child.stdout }

    /// Returns once standard output satisfies `condition`.
    /// - Throws: after `seconds`, or when kiemctl ended first.
    func waitForOutput(_ what: String, seconds: Double = 30, _ condition: @escaping @Sendable (String) -> Bool) async throws {
        try await withDeadline(seconds: seconds, "\(what) from kiemctl") { [child] in
            await child.wait { condition(child.stdout) || child.isFinished }
            guard condition(child.stdout) else { throw DeadlineExceeded(what: "\(what); kiemctl ended: \(child.outcome)") }
        }
    }

    /// Sends SIGINT, as Ctrl-C does.
    func interrupt() {
        child.signal(SIGINT)
    }

    /// Waits for the exit and the end of both outputs.
    /// - Throws: ``DeadlineExceeded`` after `seconds` (kiemctl is then killed).
    func finished(seconds: Double = 60) async throws -> Outcome {
        try await child.finished(seconds: seconds)
    }
}

extension ChildProcess.Outcome {
    /// Standard output parsed as one JSON object.
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw KiemctlProcess.Failure.notAnObject(stdout)
        }
        return object
    }
}
