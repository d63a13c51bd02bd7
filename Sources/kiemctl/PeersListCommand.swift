import ArgumentParser
import KiemClient
import KiemProtocol
import KiemTransport

/// `kiemctl peers list`.
struct PeersListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the peers with their state, lag, op counts and last error."
    )

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let response = try await control.withControl { control in
            try await control.call(ControlAPI.listPeers, Kiem_V1_ListPeersRequest())
        }
        try control.print(PeerList(peers: response.peers.map(PeerReport.init)))
    }
}

/// What `peers list` prints.
struct PeerList: CommandOutput {
    var peers: [PeerReport]

    var text: String {
        peers.isEmpty ? "no peers (add one with `kiemctl peers add`)" : PeerReport.table(peers, detailed: true).rendered
    }
}
