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
            What else happens depends on the node's `accept` setting (kiemd.toml). Under \
            accept = "members" (the default) the removed node can still dial in and sync: any node \
            with a valid federation certificate may. Under accept = "peers" its open connections \
            are closed and it is refused from now on. Either way its certificate stays valid for the \
            rest of the federation: to expel a node from every node, the CA revokes it (kiemctl pki \
            revoke, then kiemctl revocations add).

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
        try control.print(RemovedPeer(peer: peer, response: response))
    }
}

/// What `peers remove` prints: what the removal did, and what it did not.
struct RemovedPeer: CommandOutput, Equatable {
    var peer: String
    var removed: Bool
    /// The node's `accept` setting: "members" or "peers".
    var accept: String
    /// Whether the removed node can still open a session with this one.
    var mayStillDialIn: Bool
    /// Connections the removed node had opened that were closed.
    var closedConnections: UInt32

    init(peer: String, response: Kiem_V1_RemovePeerResponse) {
        self.peer = peer
        removed = response.removed
        // A node from before `accept` existed answers UNSPECIFIED: it admits every member.
        accept = response.accept == .peers ? "peers" : "members"
        mayStillDialIn = response.accept != .peers
        closedConnections = response.closedConnections
    }

    var text: String {
        if mayStillDialIn {
            return """
                removed peer \(peer): this node no longer dials it.
                It can still dial in and sync: accept = "members" admits any node with a valid federation certificate. \
                To refuse it, set accept = "peers" in kiemd.toml and restart kiemd.
                """
        }
        let connections = closedConnections == 1 ? "1 connection" : "\(closedConnections) connections"
        return """
            removed peer \(peer): this node no longer dials it, closed \(connections) it had opened, \
            and refuses it from now on (accept = "peers").
            Its certificate stays valid: other nodes that accept it can still sync with it \
            (to expel it everywhere: kiemctl pki revoke, then kiemctl revocations add).
            """
    }
}
