import ArgumentParser
import Foundation
import KiemClient
import KiemProtocol
import KiemTransport
import SwiftProtobuf

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `kiemctl sync`: anti-entropy with peers now.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync with some or all peers now and show the progress.",
        discussion: """
            Nodes sync on their own; this is for after an outage or before a check. Each peer's \
            stages are printed (connecting, pulling, pushing, done or failed); a long catch-up \
            shows a progress line. Exit status 1 if any peer failed.

            Examples:
              kiemctl sync
              kiemctl sync --peer svb-1 --peer rws.example.nl:7400
            """
    )

    @Option(name: .long, help: ArgumentHelp("A peer's node id or address; repeat for more (default: all).", valueName: "peer"))
    var peer: [String] = []

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let request = Kiem_V1_SyncRequest.with { $0.peers = peer }
        let printer = SyncProgressPrinter(isTerminal: isatty(STDOUT_FILENO) == 1, showsProgress: !control.json)
        let summary = try await control.withControl { control in
            try await control.stream(ControlAPI.sync, request) { updates in
                var printer = printer
                for try await update in updates {
                    FileHandle.standardOutput.write(Data(printer.receive(update).utf8))
                }
                FileHandle.standardOutput.write(Data(printer.finish().utf8))
                return printer.summary
            }
        }
        try control.print(summary)
        if let failure = summary.peers.first(where: { $0.state != "done" }) {
            throw KiemctlFailure("sync with \(failure.peer) failed: \(failure.error ?? "it ended in stage \(failure.state)")")
        }
    }
}
