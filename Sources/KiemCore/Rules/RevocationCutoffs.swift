/// From when on the federation CA revoked nodes and organisations, as the
/// rules see it: an op of a revoked node, or written by a revoked
/// organisation, whose timestamp is at or after its revocation's time is
/// rejected (``Rejection/Rule/revoked``). Ops written earlier stay valid:
/// they were signed while the key was trusted, and others have built on them.
///
/// Every replica that holds the same revocations decides the same: the
/// cutoff depends only on the revocations and the op's own signed fields.
public struct RevocationCutoffs: Hashable, Sendable {
    /// Revoked nodes, with the time their revocation takes effect.
    public private(set) var nodes: [NodeID: HLCTimestamp]
    /// Revoked organisations (every node of theirs), likewise.
    public private(set) var organisations: [OrganisationID: HLCTimestamp]

    /// No revocations.
    public init(nodes: [NodeID: HLCTimestamp] = [:], organisations: [OrganisationID: HLCTimestamp] = [:]) {
        self.nodes = nodes
        self.organisations = organisations
    }

    /// Whether nothing is revoked.
    public var isEmpty: Bool { nodes.isEmpty && organisations.isEmpty }

    /// Adds a revocation of `node` (or of all of `organisation`'s nodes when
    /// `node` is nil) from `time` on. Two revocations of the same identity
    /// keep the earlier time.
    public mutating func revoke(organisation: OrganisationID, node: NodeID?, from time: HLCTimestamp) {
        if let node {
            nodes[node] = min(nodes[node] ?? time, time)
        } else {
            organisations[organisation] = min(organisations[organisation] ?? time, time)
        }
    }

    /// The earliest revocation time that applies to ops of `origin` written
    /// by `organisation`, if any.
    public func cutoff(origin: NodeID, organisation: OrganisationID) -> HLCTimestamp? {
        switch (nodes[origin], organisations[organisation]) {
        case let (node?, whole?): min(node, whole)
        case let (node?, nil): node
        case let (nil, whole?): whole
        case (nil, nil): nil
        }
    }

    /// Whether `op` was written at or after a revocation of its origin or
    /// its author.
    public func revokes(_ op: Op) -> Bool {
        guard !isEmpty, let cutoff = cutoff(origin: op.origin, organisation: op.author) else { return false }
        return op.hlc >= cutoff
    }
}
