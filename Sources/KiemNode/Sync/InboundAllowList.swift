import KiemConfiguration
import KiemCore
import KiemTransport
import Synchronization

/// Who may open a TLS session with the node (kiemd.toml `accept`), asked by
/// the listener's TLS context in every handshake
/// (``KiemTransport/KiemTLSContext/Admission``).
///
/// Under ``NodeConfiguration/Accept/members`` every federation member is
/// admitted. Under ``NodeConfiguration/Accept/peers`` only the nodes of the
/// peer list are: ``PeerSupervisor`` hands it every version of the list
/// before the change takes effect, so `kiemctl peers add` admits a node at
/// once and `peers remove` refuses it from the next handshake on. Every
/// refusal is counted (`kiem_connections_refused_total{reason="not-a-peer"}`).
final class InboundAllowList: Sendable {
    /// The policy from the configuration.
    let policy: NodeConfiguration.Accept
    private let peers = Mutex<Set<Member>>([])
    private let counters: NodeCounters

    /// A node the peer list names, with the organisation its certificate must name.
    private struct Member: Hashable {
        var organisation: OrganisationID
        var node: NodeID
    }

    init(policy: NodeConfiguration.Accept, counters: NodeCounters) {
        self.policy = policy
        self.counters = counters
    }

    /// Makes `list` the nodes admitted under ``NodeConfiguration/Accept/peers``.
    func admit(_ list: PeerList) {
        let members = Set(list.effective.map { Member(organisation: $0.organisation, node: $0.node) })
        peers.withLock { $0 = members }
    }

    /// Whether `identity` is refused a session, and why; counts a refusal.
    func refusal(for identity: PeerIdentity) -> PeerRefusal? {
        guard !admits(identity) else { return nil }
        let refusal = PeerRefusal.notAPeer(presented: identity.description)
        counters.recordRefusedConnection(from: identity.node, reason: refusal.code)
        return refusal
    }

    /// Whether `identity` may have a connection now.
    func admits(_ identity: PeerIdentity) -> Bool {
        guard policy == .peers else { return true }
        return peers.withLock { $0.contains(Member(organisation: identity.organisation, node: identity.node)) }
    }
}
