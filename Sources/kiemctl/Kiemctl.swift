import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `kiemctl`: the administration tool for a Kiem node.
///
/// Exit codes: 0 success, 1 the action was refused or failed (e.g. a file
/// exists and `--force` was not given), 2 the command line is wrong.
@main
struct Kiemctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiemctl",
        abstract: "Administer a Kiem node and its federation.",
        discussion: """
            Exit status: 0 on success, 1 when an action is refused or fails \
            (for example a file would be overwritten without --force), \
            2 when the command line is wrong.
            """,
        subcommands: [PKICommand.self]
    )

    /// Exit status for a wrong command line.
    static let usageExitCode: Int32 = 2
    /// Exit status for a refused or failed action.
    static let refusedExitCode: Int32 = 1

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as KiemctlFailure {
            Self.printError(failure.message)
            Self.exit(code: refusedExitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                // Usage errors: ArgumentParser's message with usage, exit status 2.
                Self.printError(fullMessage(for: error))
                Self.exit(code: usageExitCode)
            }
            if code == .success {
                // --help, --version: ArgumentParser prints them.
                Self.exit(withError: error)
            }
            if code == .failure, !(error is ExitCode) {
                Self.printError("kiemctl: \(error)")
                Self.exit(code: refusedExitCode)
            }
            Self.exit(withError: error)
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    }

    static func exit(code: Int32) -> Never {
        fflush(nil)
        Foundation.exit(code)
    }
}

/// A refused or failed action: printed as `kiemctl: <message>`, exit status 1.
struct KiemctlFailure: Error, CustomStringConvertible {
    let message: String

    init(_ message: String) {
        self.message = "kiemctl: " + message
    }

    var description: String { message }
}
