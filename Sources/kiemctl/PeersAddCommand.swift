import ArgumentParser
import KiemClient
import KiemConfiguration
import KiemCore
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl peers add`.
struct PeersAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Start dialling a peer (kept across restarts).",
        discussion: """
            The connection is refused unless the peer's certificate names the given \
            organisation and node, exactly as for a [[peers]] entry in kiemd.toml.

            Example:
              kiemctl peers add svb.example.nl:7400 --node svb-1 --org svb
            """
    )

    @Argument(help: ArgumentHelp("Where the peer listens.", valueName: "host:port"))
    var address: String

    @Option(name: .long, help: ArgumentHelp("The node id its certificate must name, e.g. svb-1.", valueName: "node"))
    var node: String

    @Option(name: .long, help: ArgumentHelp("The organisation its certificate must name, e.g. svb.", valueName: "org"))
    var org: String

    @OptionGroup var control: ControlOptions

    func validate() throws {
        guard NodeConfiguration.Address(parsing: address) != nil else {
            throw ValidationError("\"\(address)\" is not host:port")
        }
        do {
            _ = try NodeID(node)
            _ = try OrganisationID(org)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        let request = Kiem_V1_AddPeerRequest.with {
            $0.address = address
            $0.nodeID = node
            $0.organisation = org
        }
        let peer = try await control.withControl { control in try await control.call(ControlAPI.addPeer, request) }
        try control.print(AddedPeer(peer: PeerReport(peer)))
    }
}

/// What `peers add` prints.
struct AddedPeer: CommandOutput {
    var peer: PeerReport

    var text: String { "added peer \(peer.node) (\(peer.organisation)) at \(peer.address): \(peer.state)" }
}
