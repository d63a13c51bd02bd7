public import KiemCore
public import X509

/// What a node trusts: the federation root certificate(s), and for
/// PKIoverheid-style federations the membership list that maps an OIN to an
/// organisation.
public struct FederationTrust: Sendable {
    /// Root certificates a peer's chain must lead to (the federation CA, or a
    /// PKIoverheid root). Nothing else is trusted, in particular not the
    /// system trust store.
    public var roots: [Certificate]
    /// OIN → organisation, for certificates that carry no Kiem URN.
    public var membership: [OIN: OrganisationID]
    /// Accepted RSA key sizes for leaf certificates.
    public var rsaKeySizes: ClosedRange<Int>

    /// The RSA key sizes PKIoverheid issues: 2048 to 4096 bits.
    public static let defaultRSAKeySizes: ClosedRange<Int> = 2048...4096

    public init(
        roots: [Certificate],
        membership: [OIN: OrganisationID] = [:],
        rsaKeySizes: ClosedRange<Int> = FederationTrust.defaultRSAKeySizes
    ) {
        self.roots = roots
        self.membership = membership
        self.rsaKeySizes = rsaKeySizes
    }
}
