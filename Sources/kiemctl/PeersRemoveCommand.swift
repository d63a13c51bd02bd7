import ArgumentParser
import KiemClient
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl peers remove`.
struct PeersRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Stop dialling a peer and close its session (kept across restarts).",
        discussion: """
            Examples:
              kiemctl peers remove svb-1
              kiemctl peers remove svb.example.nl:7400
            """
    )

    @Argument(help: ArgumentHelp("The peer's node id or its address.", valueName: "node-or-address"))
    var peer: String

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let request = Kiem_V1_RemovePeerRequest.with { $0.peer = peer }
        let response = try await control.withControl { control in try await control.call(ControlAPI.removePeer, request) }
        guard response.removed else { throw KiemctlFailure("no peer \(peer) (see `kiemctl peers list`)") }
        try control.print(RemovedPeer(peer: peer, removed: true))
    }
}

/// What `peers remove` prints.
struct RemovedPeer: CommandOutput {
    var peer: String
    var removed: Bool

    var text: String { "removed peer \(peer)" }
}
