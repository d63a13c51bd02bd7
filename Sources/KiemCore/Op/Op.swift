/// An immutable operation on one initiative: the unit of replication.
public struct Op: Hashable, Sendable {
    /// The origin node and its per-origin sequence number.
    public let id: OpID
    /// When the origin wrote it.
    public let hlc: HLCTimestamp
    /// The organisation that wrote it (the origin node's organisation).
    public let author: OrganisationID
    /// The initiative it changes.
    public let initiative: InitiativeID
    /// What it changes.
    public let mutation: Mutation

    /// Creates an op.
    public init(id: OpID, hlc: HLCTimestamp, author: OrganisationID, initiative: InitiativeID, mutation: Mutation) {
        self.id = id
        self.hlc = hlc
        self.author = author
        self.initiative = initiative
        self.mutation = mutation
    }

    /// The op's origin node.
    public var origin: NodeID { id.origin }
}
