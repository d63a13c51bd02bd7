package import Foundation
import KiemCore
package import KiemTransport
package import X509
import Crypto
import _CryptoExtras
import SwiftASN1

/// A throwaway federation CA for tests, and node identities from it: valid
/// ones, and the broken kinds a node must refuse (expired, not yet valid,
/// from another CA, holding the wrong key, PKIoverheid-style RSA leaves).
///
/// Everything lives in memory; ``TestNodeIdentity/write(to:)`` puts a node
/// folder on disk in the layout `kiemctl pki issue` writes.
package struct TestPKI: Sendable {
    package let ca: FederationCA
    /// The "now" certificates are made around.
    package let now: Date

    package init(name: String = "Kiem test federation", now: Date = Date()) throws {
        self.now = now
        self.ca = try FederationCA.generate(
            name: name,
            // A year back, so that certificates that expired already were
            // issued while it was valid, as in a real federation.
            notValidBefore: now.addingTimeInterval(-365 * 86_400),
            notValidAfter: now.addingTimeInterval(365 * 86_400)
        )
    }

    /// Writes the CA to `folder` as `kiemctl pki init-ca` does (`ca.key`,
    /// `ca.crt`), for tests of what reads a CA folder.
    /// - Returns: the folder's path.
    @discardableResult
    package func writeCA(to folder: URL) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try PEMFiles.pem(ca.privateKey).write(to: folder.appendingPathComponent("ca.key"), atomically: true, encoding: .utf8)
        try PEMFiles.pem([ca.certificate]).write(to: folder.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        return folder.path
    }

    /// The CA certificate, as a node's trust root.
    package var caCertificate: Certificate { ca.certificate }

    /// A valid node identity from this CA, valid from a day ago for 30 days.
    package func node(_ organisation: String, _ node: String, oin: OIN? = nil) throws -> TestNodeIdentity {
        try self.node(
            organisation, node, oin: oin,
            notValidBefore: now.addingTimeInterval(-86_400),
            notValidAfter: now.addingTimeInterval(30 * 86_400)
        )
    }

    /// A node identity from this CA with the given validity window.
    package func node(
        _ organisation: String,
        _ node: String,
        oin: OIN? = nil,
        notValidBefore: Date,
        notValidAfter: Date
    ) throws -> TestNodeIdentity {
        let organisationID = try OrganisationID(organisation)
        let request = NodeCertificateRequest(
            organisation: organisationID,
            node: try NodeID(node),
            oin: oin ?? OIN.testOIN(for: organisationID),
            notValidBefore: notValidBefore,
            notValidAfter: notValidAfter
        )
        let (certificate, key) = try ca.issue(request)
        return TestNodeIdentity(privateKey: key, chain: [certificate], trustRoots: [ca.certificate])
    }

    /// A node whose certificate expired yesterday.
    package func expiredNode(_ organisation: String, _ node: String) throws -> TestNodeIdentity {
        try self.node(
            organisation, node,
            notValidBefore: now.addingTimeInterval(-30 * 86_400),
            notValidAfter: now.addingTimeInterval(-86_400)
        )
    }

    /// A node whose certificate only becomes valid tomorrow.
    package func notYetValidNode(_ organisation: String, _ node: String) throws -> TestNodeIdentity {
        try self.node(
            organisation, node,
            notValidBefore: now.addingTimeInterval(86_400),
            notValidAfter: now.addingTimeInterval(30 * 86_400)
        )
    }

    /// A node with a well-formed certificate from a *different* CA (same
    /// organisation and node names). It trusts this federation's CA, so it
    /// would accept our server: only our side refuses it.
    package func foreignNode(_ organisation: String, _ node: String, caName: String = "Some other federation") throws -> TestNodeIdentity {
        let other = try TestPKI(name: caName, now: now)
        let identity = try other.node(organisation, node)
        return TestNodeIdentity(privateKey: identity.privateKey, chain: identity.chain, trustRoots: [ca.certificate])
    }

    /// A valid certificate from this CA paired with a private key that is
    /// *not* its key: the holder can present the certificate but cannot prove
    /// possession. ``TestNodeIdentity/tlsIdentity()`` refuses it; use the
    /// PEM forms to configure a raw TLS client.
    package func mismatchedKeyNode(_ organisation: String, _ node: String) throws -> TestNodeIdentity {
        let genuine = try self.node(organisation, node)
        let otherKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        return TestNodeIdentity(privateKey: otherKey, chain: genuine.chain, trustRoots: genuine.trustRoots)
    }

    /// A leaf from this CA with an RSA key of `bits` and a Kiem URN, e.g. to
    /// test the accepted RSA sizes (1024 is allowed here for tests only).
    package func rsaNode(_ organisation: String, _ node: String, bits: Int) throws -> TestNodeIdentity {
        let key = Certificate.PrivateKey(try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: bits)))
        let organisationID = try OrganisationID(organisation)
        let request = NodeCertificateRequest(
            organisation: organisationID,
            node: try NodeID(node),
            oin: OIN.testOIN(for: organisationID),
            notValidBefore: now.addingTimeInterval(-86_400),
            notValidAfter: now.addingTimeInterval(30 * 86_400)
        )
        let certificate = try ca.issue(request, publicKey: key.publicKey)
        return TestNodeIdentity(privateKey: key, chain: [certificate], trustRoots: [ca.certificate])
    }

    /// A fresh temporary folder (under the system temp folder) for a test.
    package static func temporaryDirectory(_ label: String = "kiem-pki") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A PKIoverheid-style hierarchy for tests: an RSA root ("Staat der
/// Nederlanden"-like), an RSA issuing CA under it, and RSA leaves that carry
/// only an OIN in Subject serialNumber and a host-like common name, without
/// any Kiem URN.
package struct TestPKIoverheid: Sendable {
    package let root: Certificate
    package let intermediate: Certificate
    private let intermediateKey: Certificate.PrivateKey
    package let now: Date

    /// Makes the root and issuing CA (RSA 2048, to keep tests fast).
    package init(now: Date = Date()) throws {
        self.now = now
        let rootKey = Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        let rootName = try DistinguishedName {
            CountryName("NL")
            OrganizationName("Staat der Nederlanden (test)")
            CommonName("Staat der Nederlanden Test Root CA")
        }
        self.root = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: rootKey.publicKey,
            notValidBefore: now.addingTimeInterval(-86_400),
            notValidAfter: now.addingTimeInterval(3650 * 86_400),
            issuer: rootName,
            subject: rootName,
            signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: rootKey
        )
        let intermediateKey = Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        let intermediateName = try DistinguishedName {
            CountryName("NL")
            OrganizationName("Test TSP B.V.")
            CommonName("Test PKIoverheid Organisatie Services CA")
        }
        self.intermediate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: intermediateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-86_400),
            notValidAfter: now.addingTimeInterval(1825 * 86_400),
            issuer: rootName,
            subject: intermediateName,
            signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: rootKey
        )
        self.intermediateKey = intermediateKey
    }

    /// A PKIoverheid-style server/client leaf: `C=NL, O=<organisationName>,
    /// serialNumber=<oin>, CN=<commonName>`, an RSA key of `rsaBits`, SAN DNS
    /// name = common name, no Kiem URN. The chain is `[leaf, intermediate]`;
    /// the trust root is ``root``.
    package func leaf(
        oin: String,
        commonName: String,
        organisationName: String,
        rsaBits: Int = 2048
    ) throws -> TestNodeIdentity {
        let key = Certificate.PrivateKey(try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: rsaBits)))
        let subject = try DistinguishedName([
            RelativeDistinguishedName.Attribute(type: .RDNAttributeType.countryName, printableString: "NL"),
            RelativeDistinguishedName.Attribute(type: .RDNAttributeType.organizationName, utf8String: organisationName),
            RelativeDistinguishedName.Attribute(type: [2, 5, 4, 5], printableString: oin),
            RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, utf8String: commonName),
        ])
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            // A year back, so that certificates that expired already were
            // issued while it was valid, as in a real federation.
            notValidBefore: now.addingTimeInterval(-365 * 86_400),
            notValidAfter: now.addingTimeInterval(365 * 86_400),
            issuer: intermediate.subject,
            subject: subject,
            signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames([.dnsName(commonName)])
            },
            issuerPrivateKey: intermediateKey
        )
        return TestNodeIdentity(privateKey: key, chain: [certificate, intermediate], trustRoots: [root])
    }
}

/// A node's key, certificate chain and trust roots, as a test holds them.
package struct TestNodeIdentity: Sendable {
    package let privateKey: Certificate.PrivateKey
    /// Leaf first.
    package let chain: [Certificate]
    package let trustRoots: [Certificate]

    package init(privateKey: Certificate.PrivateKey, chain: [Certificate], trustRoots: [Certificate]) {
        self.privateKey = privateKey
        self.chain = chain
        self.trustRoots = trustRoots
    }

    package var certificate: Certificate { chain[0] }

    /// The same key and chain trusting other roots.
    package func trusting(_ roots: [Certificate]) -> TestNodeIdentity {
        TestNodeIdentity(privateKey: privateKey, chain: chain, trustRoots: roots)
    }

    package var privateKeyPEM: String {
        get throws { try PEMFiles.pem(privateKey) }
    }

    package var chainPEM: String {
        get throws { try PEMFiles.pem(chain) }
    }

    package var trustRootsPEM: String {
        get throws { try PEMFiles.pem(trustRoots) }
    }

    /// DER of every certificate in the chain, leaf first, as a TLS peer sends it.
    package var chainDER: [[UInt8]] {
        get throws {
            try chain.map { certificate in
                var serializer = DER.Serializer()
                try serializer.serialize(certificate)
                return serializer.serializedBytes
            }
        }
    }

    /// The identity as KiemTransport loads it (refuses a mismatched key).
    package func tlsIdentity() throws -> NodeTLSIdentity {
        try NodeTLSIdentity(certificateChain: chain, privateKey: privateKey, trustRoots: trustRoots)
    }

    /// Writes `node.key` (0600), `node.crt` and `ca.crt` into `directory`.
    package func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files: [(String, String, Int)] = [
            (FederationPKI.nodeKeyFileName, try privateKeyPEM, 0o600),
            (FederationPKI.nodeCertificateFileName, try chainPEM, 0o644),
            (FederationPKI.caCertificateFileName, try trustRootsPEM, 0o644),
        ]
        for (name, contents, mode) in files {
            let path = directory.appendingPathComponent(name).path
            guard FileManager.default.createFile(
                atPath: path,
                contents: Data(contents.utf8),
                attributes: [.posixPermissions: mode]
            ) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
    }
}
