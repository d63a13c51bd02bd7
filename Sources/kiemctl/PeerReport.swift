import Foundation
import KiemProtocol

/// One peer as `status`, `peers list` and `peers add` show it.
struct PeerReport: Encodable, Equatable, Sendable {
    var organisation: String
    var node: String
    var address: String
    /// "connected", "connecting", "backoff" or "failed".
    var state: String
    /// Ops this node holds that the peer is not known to hold.
    var lagOps: UInt64
    /// The latest of the last connection and the last op batch from the
    /// peer; absent if never.
    var lastSeen: Date?
    var lastError: String?
    var opsReceived: UInt64
    var opsSent: UInt64
    /// True for a peer added with `peers add`, false for one from kiemd.toml.
    var addedAtRuntime: Bool

    init(_ peer: Kiem_V1_Peer) {
        organisation = peer.organisation
        node = peer.nodeID
        address = peer.address
        state = peer.state.name
        lagOps = peer.lagOps
        lastSeen = Display.date(millis: max(peer.lastConnectedMillis, peer.lastSyncedMillis))
        lastError = peer.lastError.isEmpty ? nil : peer.lastError
        opsReceived = peer.opsReceived
        opsSent = peer.opsSent
        addedAtRuntime = peer.addedAtRuntime
    }

    /// The peers as a table; `detailed` adds the op counts, where the peer
    /// comes from and its last error.
    static func table(_ peers: [PeerReport], detailed: Bool) -> Table {
        var columns: [Table.Column] = ["NODE", "ORGANISATION", "ADDRESS", "STATE", "LAST SEEN", Table.Column("LAG", alignment: .right)]
        if detailed {
            columns += [Table.Column("RECEIVED", alignment: .right), Table.Column("SENT", alignment: .right), "FROM", "LAST ERROR"]
        }
        return Table(columns, rows: peers.map { peer in
            var row = [peer.node.isEmpty ? "?" : peer.node, peer.organisation, peer.address, peer.state, Display.cell(peer.lastSeen), "\(peer.lagOps)"]
            if detailed {
                row += ["\(peer.opsReceived)", "\(peer.opsSent)", peer.addedAtRuntime ? "peers add" : "kiemd.toml", peer.lastError ?? ""]
            }
            return row
        })
    }
}
