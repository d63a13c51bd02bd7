import ArgumentParser
import Foundation
import KiemClient
import KiemCore
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl watch`: changes as they are applied, until Ctrl-C.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print one line per change as the node applies it, until Ctrl-C.",
        discussion: """
            Changes made here and changes that arrive from peers are both shown ("from <node>" \
            for the latter). Filters of one kind combine with OR, different kinds with AND. With \
            --json each change is one JSON object on its own line. Ctrl-C ends it with status 0.

            Examples:
              kiemctl watch
              kiemctl watch --theme ai --org uwv
              kiemctl watch --initiative $ID --current
              kiemctl watch --json | jq -c 'select(.kind == "phase")'
            """
    )

    @Option(name: .long, help: ArgumentHelp("Only initiatives with this theme; repeat for more.", valueName: "theme"))
    var theme: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only initiatives this organisation owns; repeat for more.", valueName: "org"))
    var org: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only this initiative; repeat for more.", valueName: "id"))
    var initiative: [String] = []

    @Flag(name: .long, help: "First print a line for every matching initiative as it is now.")
    var current = false

    @OptionGroup var control: ControlOptions

    func validate() throws {
        for id in initiative { try InitiativeTarget.check(id) }
    }

    func run() async throws {
        let request = Kiem_V1_WatchRequest.with {
            $0.themes = theme
            $0.owners = org
            $0.initiativeIds = initiative
            $0.includeCurrent = current
        }
        let (socket, json) = (try control.socketPath(), control.json)
        let finished = try await Interruption.untilInterrupted {
            try await ControlClient.withConnection(socket: socket) { control in
                try await control.stream(ControlAPI.watch, request) { events in
                    for try await event in events {
                        let line = WatchLine(event)
                        FileHandle.standardOutput.write(Data(((json ? try JSONOutput.line(line) : line.text) + "\n").utf8))
                    }
                }
            }
        }
        // Only Ctrl-C ends a watch; the node ending it is a failure.
        if finished { throw KiemctlFailure("the node ended the watch") }
    }
}

/// One line of `kiemctl watch`.
struct WatchLine: CommandOutput, Equatable {
    var time: Date?
    /// The change ("create", "phase", …), or "current" for the lines of --current.
    var kind: String
    var initiative: String
    var title: String
    var owner: String
    var phase: String
    /// True if the change came from another node.
    var remote: Bool
    /// The op ("node:seq"); absent for "current" lines.
    var op: String?

    init(_ event: Kiem_V1_WatchEvent) {
        time = Display.date(hlc: event.hasOp ? event.hlc : event.summary.updatedHlc)
        kind = event.kind.name ?? "current"
        initiative = event.initiativeID
        title = event.summary.title
        owner = event.summary.owner
        phase = event.summary.phase.name
        remote = event.remote
        op = event.hasOp ? Display.op(event.op) : nil
    }

    var text: String {
        let origin = op.map { remote ? "  from \($0.prefix { $0 != ":" })" : "  local" } ?? ""
        let paddedKind = kind.padding(toLength: 11, withPad: " ", startingAt: 0)
        return "\(Display.cell(time))  \(paddedKind)  \(initiative)  \"\(title)\" (\(owner), \(phase))\(origin)"
    }
}
