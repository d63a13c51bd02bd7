import KiemConfiguration
import KiemCore

/// The peers a node dials: the configuration's `[[peers]]` with the changes
/// made at runtime (``PeerChanges``) applied. A value; ``PeerSupervisor``
/// keeps one and persists its changes.
struct PeerList: Sendable, Equatable {
    /// The peers from the configuration file.
    let configured: [NodeConfiguration.Peer]
    /// What was added or removed at runtime.
    private(set) var changes: PeerChanges
    private let local: NodeID

    init(configured: [NodeConfiguration.Peer], changes: PeerChanges = PeerChanges(), local: NodeID) {
        self.configured = configured
        self.changes = changes
        self.local = local
    }

    /// The peers to dial, configured ones first.
    var effective: [NodeConfiguration.Peer] {
        configured.filter { !changes.removed.contains($0.node.rawValue) && !changes.added.map(\.node).contains($0.node) }
            + changes.added
    }

    /// Whether `peer` came from ``changes`` rather than the file.
    func isAddedAtRuntime(_ peer: NodeConfiguration.Peer) -> Bool {
        changes.added.contains(peer)
    }

    /// Adds a peer to dial.
    /// - Throws: ``PeerListError`` for this node itself or a node or address
    ///   already listed.
    mutating func add(_ peer: NodeConfiguration.Peer) throws(PeerListError) {
        guard peer.node != local else { throw .isSelf(peer.node) }
        if let existing = effective.first(where: { $0.node == peer.node || $0.address == peer.address }) {
            throw .alreadyListed(existing)
        }
        changes.added.append(peer)
        changes.removed.removeAll { $0 == peer.node.rawValue }
    }

    /// Stops dialling the peer named by its node id or address.
    /// - Returns: the removed peer, nil if none matched.
    mutating func remove(_ nodeOrAddress: String) -> NodeConfiguration.Peer? {
        guard let peer = effective.first(where: { $0.node.rawValue == nodeOrAddress || "\($0.address)" == nodeOrAddress })
        else { return nil }
        changes.added.removeAll { $0.node == peer.node }
        if configured.contains(where: { $0.node == peer.node }) { changes.removed.append(peer.node.rawValue) }
        return peer
    }

    /// The listed peer named by its node id or address.
    func peer(named nodeOrAddress: String) -> NodeConfiguration.Peer? {
        effective.first { $0.node.rawValue == nodeOrAddress || "\($0.address)" == nodeOrAddress }
    }
}

/// Peers added and removed through the Control API, kept in the data folder
/// as `peers.json` so they survive a restart.
struct PeerChanges: Sendable, Equatable {
    /// Peers to dial besides the configured ones.
    var added: [NodeConfiguration.Peer] = []
    /// Node ids of configured peers not to dial.
    var removed: [String] = []
}

/// Why a peer could not be added.
enum PeerListError: Error, Equatable, CustomStringConvertible {
    case isSelf(NodeID)
    case alreadyListed(NodeConfiguration.Peer)

    var description: String {
        switch self {
        case let .isSelf(node): "\(node) is this node"
        case let .alreadyListed(peer): "\(peer.node) at \(peer.address) is a peer already"
        }
    }
}
