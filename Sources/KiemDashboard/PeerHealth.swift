import Foundation
import KiemProtocol

/// One peer's sync health as the dashboard shows it: whether it is
/// connected, when it was last seen and last sent ops, and how many ops this
/// node holds that it is not known to hold.
struct PeerHealth: Codable, Hashable, Sendable {
    var node: String
    /// Empty when an inbound node's organisation is not known yet.
    var organisation: String
    /// `connected`, `connecting`, `backoff` (waiting to retry) or `failed`.
    var state: String
    /// When a session with it last opened; nil if never.
    var lastSeen: Date?
    /// When it last sent a batch of ops; nil if never.
    var lastSynced: Date?
    var lagOps: UInt64
    /// Why the last connection attempt failed, while it is not connected.
    var lastError: String?

    /// The health in a ``PeerReports`` entry.
    init(_ peer: Kiem_V1_Peer) {
        node = peer.nodeID
        organisation = peer.organisation
        state = switch peer.state {
        case .connected: "connected"
        case .backoff: "backoff"
        case .failed: "failed"
        case .connecting, .unspecified, .UNRECOGNIZED: "connecting"
        }
        lastSeen = peer.lastConnectedMillis == 0 ? nil : DisplayTime.date(millis: peer.lastConnectedMillis)
        lastSynced = peer.lastSyncedMillis == 0 ? nil : DisplayTime.date(millis: peer.lastSyncedMillis)
        lagOps = peer.lagOps
        lastError = peer.lastError.isEmpty ? nil : peer.lastError
    }
}
