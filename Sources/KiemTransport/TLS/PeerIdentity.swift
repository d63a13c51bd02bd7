public import KiemCore
public import X509

/// Who is at the other end of an authenticated TLS connection: the
/// organisation and node its certificate names, established during the
/// handshake against the federation CA and membership list.
///
/// The leaf certificate (and so its public key) is kept so that signatures
/// the peer makes later (e.g. over op-log chain heads) can be verified
/// against the key TLS has just proven the peer holds.
public struct PeerIdentity: Hashable, Sendable, CustomStringConvertible {
    /// Where the organisation and node came from.
    public enum Source: String, Hashable, Sendable {
        /// From the SAN URI `urn:kiem:org:<organisation>:node:<node>` of a
        /// Kiem-issued certificate.
        case kiemURN = "kiem-urn"
        /// From the Subject serialNumber (OIN) mapped through the membership
        /// list, with the node from the Subject common name (PKIoverheid-style).
        case membershipList = "membership-list"
    }

    public let organisation: OrganisationID
    public let node: NodeID
    /// The OIN in the Subject serialNumber, if the certificate carries one.
    public let oin: OIN?
    public let source: Source
    /// The peer's leaf certificate.
    public let certificate: Certificate
    /// The validated chain, leaf first, ending at the trusted federation root.
    public let chain: [Certificate]

    public init(
        organisation: OrganisationID,
        node: NodeID,
        oin: OIN?,
        source: Source,
        certificate: Certificate,
        chain: [Certificate]
    ) {
        self.organisation = organisation
        self.node = node
        self.oin = oin
        self.source = source
        self.certificate = certificate
        self.chain = chain
    }

    /// The public key of the peer's certificate (P-256, P-384 or RSA).
    public var publicKey: Certificate.PublicKey { certificate.publicKey }

    /// `uwv/uwv-1`, plus the OIN when there is one.
    public var description: String {
        let base = "\(organisation.rawValue)/\(node.rawValue)"
        if let oin { return "\(base) (OIN \(oin))" }
        return base
    }
}

/// The identity a dialler expects the server to have.
public struct ExpectedPeer: Hashable, Sendable, CustomStringConvertible {
    public var organisation: OrganisationID
    /// `nil` accepts any node of the organisation.
    public var node: NodeID?

    public init(organisation: OrganisationID, node: NodeID? = nil) {
        self.organisation = organisation
        self.node = node
    }

    public func matches(_ identity: PeerIdentity) -> Bool {
        identity.organisation == organisation && (node == nil || identity.node == node)
    }

    public var description: String {
        "\(organisation.rawValue)/\(node?.rawValue ?? "*")"
    }
}
