import ArgumentParser
import Foundation
import KiemClient
import KiemWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `kiemctl`: the administration tool for a Kiem node.
///
/// Every failure reaches ``main()``, which maps it to a message and an exit
/// status in one place (``failure(for:)``): 0 done, 1 refused or failed,
/// 2 wrong command line, 3 no daemon answers.
@main
struct Kiemctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiemctl",
        abstract: "Administer a Kiem node and its federation.",
        discussion: """
            The node commands (status, peers, initiative, watch, sync, backup) talk to kiemd over its \
            control socket, found in this order: --socket PATH, $KIEM_SOCKET, the data_dir of \
            --config FILE (kiemd.toml), /var/lib/kiem/kiemd.sock. The socket belongs to the user \
            kiemd runs as. Every command takes --json for output that scripts can read. \
            --socket, --config and --json may also come before the subcommand, as git -C takes \
            its folder (kiemctl --socket PATH status); an option the subcommand sets itself wins. \
            docs/kiemctl.md walks through administering a node by task.

            Examples:
              kiemctl status
              kiemctl initiative list --theme ai
              kiemctl peers list --config /etc/kiem/kiemd.toml
              kiemctl --socket /srv/kiem/kiemd.sock status
              KIEM_SOCKET=/srv/kiem/kiemd.sock kiemctl watch

            Exit status:
              0  done
              1  refused by a rule or failed; the message says why, e.g.
                 "kiemctl: only uwv may edit this initiative"; also a missing initiative
              2  the command line is wrong (including an unknown phase or adoption status,
                 and input the node refuses as invalid)
              3  no daemon answers: "kiemctl: is kiemd running? no socket at …"

            Shell completion (subcommands, options, phase and status names):
              kiemctl --generate-completion-script bash > /etc/bash_completion.d/kiemctl
              kiemctl --generate-completion-script zsh > "${fpath[1]}/_kiemctl"
              kiemctl --generate-completion-script fish > kiemctl.fish
            """,
        subcommands: [
            StatusCommand.self, PeersCommand.self, InitiativeCommand.self, WatchCommand.self, SyncCommand.self,
            OverviewCommand.self, BackupCommand.self, RevocationsCommand.self, DoctorCommand.self,
            PKICommand.self, DemoCommand.self,
        ]
    )

    /// Exit status for a refused or failed action.
    static let refusedExitCode: Int32 = 1
    /// Exit status for a wrong command line.
    static let usageExitCode: Int32 = 2
    /// Exit status when no daemon answers on the control socket.
    static let unreachableExitCode: Int32 = 3

    static func main() async {
        do {
            var command = try parseCommand(Array(CommandLine.arguments.dropFirst()))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if let (message, status) = failure(for: error) {
                Self.printError(message)
                Self.exit(code: status)
            }
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

    /// The message and exit status for a failure of kiemctl's own or of the
    /// node; nil for ArgumentParser's errors (usage, help), which `main`
    /// leaves to ArgumentParser.
    static func failure(for error: any Error) -> (message: String, status: Int32)? {
        switch error {
        case let failure as KiemctlFailure:
            (failure.message, refusedExitCode)
        case let unreachable as ControlClientError:
            ("kiemctl: \(unreachable)", unreachableExitCode)
        case let rpc as RPCError:
            ("kiemctl: " + (rpc.message.isEmpty ? "\(rpc.code)" : rpc.message), status(for: rpc.code))
        default:
            nil
        }
    }

    /// The exit status for a failed call: 2 for input the node calls invalid,
    /// 3 when the node is going away, else 1.
    static func status(for code: StatusCode) -> Int32 {
        switch code {
        case .invalidArgument: usageExitCode
        case .unavailable: unreachableExitCode
        default: refusedExitCode
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
