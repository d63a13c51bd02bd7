/// Who an origin node is, as its certificate says: its organisation and its
/// signing key. Ops from the node must be authored by that organisation and
/// signed with that key.
public struct OriginIdentity: Sendable {
    /// The node.
    public let node: NodeID
    /// Its organisation.
    public let organisation: OrganisationID
    /// Its public key.
    public let key: OriginKey

    /// Creates an identity.
    public init(node: NodeID, organisation: OrganisationID, key: OriginKey) {
        self.node = node
        self.organisation = organisation
        self.key = key
    }
}
