public import Foundation
public import KiemCore
public import X509
internal import Crypto
internal import _CryptoExtras
internal import SwiftASN1

/// The certificate authority of a Kiem federation: a self-signed P-256 root
/// that issues one certificate per node.
///
/// Creating and issuing are pure apart from key generation; time is an input.
/// Files are handled by ``FederationPKI``.
public struct FederationCA: Sendable {
    /// The self-signed CA certificate (`ca.crt`).
    public let certificate: Certificate
    /// The CA signing key (`ca.key`).
    public let privateKey: Certificate.PrivateKey

    /// Pairs a CA certificate with its key, refusing a key that is not the
    /// certificate's or a certificate that is not a CA.
    public init(certificate: Certificate, privateKey: Certificate.PrivateKey) throws(PKIError) {
        guard privateKey.publicKey == certificate.publicKey else {
            throw .keyDoesNotMatchCertificate(key: "CA key", certificate: "CA certificate")
        }
        let constraints = try? certificate.extensions.basicConstraints
        guard case .isCertificateAuthority = constraints else {
            throw .notACertificateAuthority(subject: certificate.subject.description)
        }
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// Makes a new CA with a fresh P-256 key.
    ///
    /// - Parameters:
    ///   - name: The CA's common name, e.g. "Kiem test federation".
    ///   - notValidBefore: Start of validity (callers back-date a few minutes for clock skew).
    ///   - notValidAfter: End of validity.
    public static func generate(name: String, notValidBefore: Date, notValidAfter: Date) throws -> FederationCA {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = try DistinguishedName {
            OrganizationName(name)
            CommonName(name)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: key.publicKey)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: notValidBefore,
            notValidAfter: notValidAfter,
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: key
        )
        return try FederationCA(certificate: certificate, privateKey: key)
    }

    /// Issues a node certificate for `publicKey` (usually a fresh P-256 key
    /// from ``NodeCertificateRequest/generateKey()``).
    ///
    /// The certificate carries Subject `O=<organisation>, serialNumber=<OIN>,
    /// CN=<node>`, SAN URI `urn:kiem:org:<organisation>:node:<node>`, extended
    /// key usage serverAuth + clientAuth, key usage digitalSignature and
    /// basicConstraints CA=false.
    public func issue(_ request: NodeCertificateRequest, publicKey: Certificate.PublicKey) throws -> Certificate {
        let subject = try request.subject()
        let urn = KiemNodeURN(organisation: request.organisation, node: request.node)
        var extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            SubjectAlternativeNames([.uniformResourceIdentifier(urn.description)])
            SubjectKeyIdentifier(hash: publicKey)
        }
        let authorityKey = (try? certificate.extensions.subjectKeyIdentifier)??.keyIdentifier
            ?? SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
        try extensions.append(AuthorityKeyIdentifier(keyIdentifier: authorityKey).makeCertificateExtension())
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: request.notValidBefore,
            notValidAfter: request.notValidAfter,
            issuer: certificate.subject,
            subject: subject,
            signatureAlgorithm: signatureAlgorithm,
            extensions: extensions,
            issuerPrivateKey: privateKey
        )
    }

    /// Issues a certificate for a freshly generated P-256 node key.
    public func issue(_ request: NodeCertificateRequest) throws -> (certificate: Certificate, privateKey: Certificate.PrivateKey) {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        return (try issue(request, publicKey: key.publicKey), key)
    }

    private var signatureAlgorithm: Certificate.SignatureAlgorithm {
        Self.signatureAlgorithm(for: privateKey)
    }

    /// The conventional signature algorithm for an issuer key: ECDSA with the
    /// hash matching the curve (SHA-256 for P-256), SHA-256 with RSA for RSA.
    public static func signatureAlgorithm(for key: Certificate.PrivateKey) -> Certificate.SignatureAlgorithm {
        let publicKey = key.publicKey
        if P256.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA256 }
        if P384.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA384 }
        if P521.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA512 }
        if _RSA.Signing.PublicKey(publicKey) != nil { return .sha256WithRSAEncryption }
        return key.supportedSignatureAlgorithms.first ?? .ecdsaWithSHA256
    }
}

/// What a node certificate says about its holder.
public struct NodeCertificateRequest: Hashable, Sendable {
    public var organisation: OrganisationID
    public var node: NodeID
    public var oin: OIN
    public var notValidBefore: Date
    public var notValidAfter: Date

    public init(organisation: OrganisationID, node: NodeID, oin: OIN, notValidBefore: Date, notValidAfter: Date) {
        self.organisation = organisation
        self.node = node
        self.oin = oin
        self.notValidBefore = notValidBefore
        self.notValidAfter = notValidAfter
    }

    /// `O=<organisation>, serialNumber=<OIN>, CN=<node>`.
    func subject() throws -> DistinguishedName {
        try DistinguishedName([
            RelativeDistinguishedName.Attribute(type: .RDNAttributeType.organizationName, utf8String: organisation.rawValue),
            RelativeDistinguishedName.Attribute(type: PKIObjectIdentifiers.subjectSerialNumber, printableString: oin.rawValue),
            RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: node.rawValue),
        ])
    }
}

/// Object identifiers swift-certificates does not name.
enum PKIObjectIdentifiers {
    /// X.520 `serialNumber` (2.5.4.5), where PKIoverheid certificates put the OIN.
    static let subjectSerialNumber: ASN1ObjectIdentifier = [2, 5, 4, 5]
}
