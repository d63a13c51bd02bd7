/// Who an origin node is, as its certificates say: its organisation and its
/// signing keys. Ops from the node must be authored by that organisation and
/// signed with one of those keys: its current one, or one it had before its
/// key was rotated (each certified by the federation CA for this node).
public struct OriginIdentity: Sendable {
    /// The node.
    public let node: NodeID
    /// Its organisation.
    public let organisation: OrganisationID
    /// Its current public key.
    public let key: OriginKey
    /// The keys it signed with before, newest first.
    public let earlierKeys: [OriginKey]

    /// Creates an identity.
    public init(node: NodeID, organisation: OrganisationID, key: OriginKey, earlierKeys: [OriginKey] = []) {
        self.node = node
        self.organisation = organisation
        self.key = key
        self.earlierKeys = earlierKeys
    }

    /// Whether `signature` over `message` is by one of the node's keys.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        key.isValidSignature(signature, for: message) || earlierKeys.contains { $0.isValidSignature(signature, for: message) }
    }
}
