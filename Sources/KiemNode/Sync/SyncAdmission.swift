import KiemCore

/// How many streaming Sync calls (`Pull`, `Subscribe`, `Push`) may run at
/// once, per peer node and in total, as a value: the bound on what peers
/// can make this node buffer (every such call holds up to one batch in
/// memory, however much credit the peer announces). Calls beyond it are
/// refused with `RESOURCE_EXHAUSTED` (WIRE.md section 12).
struct SyncAdmission: Sendable, Equatable {
    /// The limits.
    struct Limits: Sendable, Equatable {
        /// Streaming calls one peer node may have running at once. A node
        /// needs two per peer (its Subscribe and its Push) and one more
        /// during `kiemctl sync`.
        var perPeer: Int
        /// Streaming calls all peers together may have running at once.
        var total: Int

        /// Kiem's defaults.
        static let standard = Limits(perPeer: 8, total: 128)
    }

    /// Why a call was refused.
    enum Refusal: Error, Equatable, CustomStringConvertible {
        case peerLimit(NodeID, Int)
        case totalLimit(Int)

        var description: String {
            switch self {
            case let .peerLimit(peer, limit):
                "\(peer) already has \(limit) streaming sync calls running on this node (the limit per peer)"
            case let .totalLimit(limit):
                "this node already runs \(limit) streaming sync calls (its limit); try again later"
            }
        }
    }

    let limits: Limits
    private(set) var running: [NodeID: Int] = [:]
    private(set) var total = 0

    init(limits: Limits = .standard) {
        self.limits = limits
    }

    /// Admits one more call of `peer`, or says why not.
    mutating func admit(_ peer: NodeID) throws(Refusal) {
        guard running[peer, default: 0] < limits.perPeer else { throw .peerLimit(peer, limits.perPeer) }
        guard total < limits.total else { throw .totalLimit(limits.total) }
        running[peer, default: 0] += 1
        total += 1
    }

    /// Ends one admitted call of `peer`.
    mutating func release(_ peer: NodeID) {
        guard let count = running[peer], count > 0 else { return }
        running[peer] = count == 1 ? nil : count - 1
        total -= 1
    }
}
