import Foundation
import KiemConfiguration
import KiemCore
import KiemProtocol
import SwiftProtobuf

/// How each peer is doing, as `kiemctl status`, `peers list` and the regie
/// dashboard's sync health show it: connection state, when it was last seen
/// and sent ops, and its lag (ops this node holds that it is not known to hold).
struct PeerReports: Sendable {
    let peers: PeerSupervisor
    let replicator: Replicator

    /// The listed peers, then any other node with a live session (one that
    /// dialled in).
    func all() -> [Kiem_V1_Peer] {
        let list = peers.list
        let known = replicator.registry.peers
        let ours = replicator.oplog.versionVector
        let listed = list.effective.map { peer in
            report(node: peer.node, organisation: peer.organisation, address: "\(peer.address)", state: known[peer.node],
                   ours: ours, addedAtRuntime: list.isAddedAtRuntime(peer))
        }
        let listedNodes = Set(list.effective.map(\.node))
        let inbound = known.filter { $0.value.connected != nil && !listedNodes.contains($0.key) }.keys.sorted().map { node in
            report(node: node, organisation: replicator.directory.identity(of: node)?.organisation, address: "", state: known[node],
                   ours: ours, addedAtRuntime: false)
        }
        return listed + inbound
    }

    private func report(node: NodeID, organisation: OrganisationID?, address: String, state: PeerRegistry.PeerState?,
                        ours: VersionVector, addedAtRuntime: Bool) -> Kiem_V1_Peer {
        Kiem_V1_Peer.with {
            $0.address = address
            $0.nodeID = node.rawValue
            $0.organisation = organisation?.rawValue ?? ""
            $0.role = .unspecified
            $0.state = state?.connected != nil ? .connected : (state?.lastError != nil ? .backoff : .connecting)
            $0.lastConnectedMillis = state?.lastSeen.map(Self.millis) ?? 0
            $0.lastSyncedMillis = state?.lastBatch.map(Self.millis) ?? 0
            $0.lastError = state?.connected == nil ? state?.lastError ?? "" : ""
            $0.versionVector = (state?.assumedHoldings ?? VersionVector()).proto
            $0.opsReceived = state?.opsReceived ?? 0
            $0.opsSent = state?.opsSent ?? 0
            $0.lagOps = ours.missing(from: state?.assumedHoldings ?? VersionVector()).reduce(0) { $0 + UInt64($1.seqs.count) }
            $0.addedAtRuntime = addedAtRuntime
        }
    }

    private static func millis(_ date: Date) -> UInt64 {
        UInt64(max(0, date.timeIntervalSince1970 * 1000))
    }

    /// The report of one listed peer.
    func report(of peer: NodeConfiguration.Peer) -> Kiem_V1_Peer {
        report(node: peer.node, organisation: peer.organisation, address: "\(peer.address)",
               state: replicator.registry.peers[peer.node], ours: replicator.oplog.versionVector,
               addedAtRuntime: peers.list.isAddedAtRuntime(peer))
    }
}
