public import KiemCore

/// A revocation as the store keeps it: the CA-signed message as received
/// (checked before it is stored) and what the rules read from it.
public struct StoredRevocation: Hashable, Sendable {
    /// Identifies the revocation: the SHA-256 of its signed body.
    public var id: [UInt8]
    /// The revoked organisation, or the organisation of the revoked node.
    public var organisation: OrganisationID
    /// The revoked node; nil when the whole organisation is revoked.
    public var node: NodeID?
    /// From when on the revoked identity's ops are rejected.
    public var revokedAt: HLCTimestamp
    /// The signed revocation message, relayed to peers as it came.
    public var signed: [UInt8]
    /// When this replica received it (milliseconds since 1970).
    public var receivedMillis: UInt64

    /// Creates a stored revocation.
    public init(
        id: [UInt8], organisation: OrganisationID, node: NodeID?, revokedAt: HLCTimestamp, signed: [UInt8],
        receivedMillis: UInt64
    ) {
        self.id = id
        self.organisation = organisation
        self.node = node
        self.revokedAt = revokedAt
        self.signed = signed
        self.receivedMillis = receivedMillis
    }
}
