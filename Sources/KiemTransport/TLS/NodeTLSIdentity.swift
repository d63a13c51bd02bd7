public import X509
public import Foundation
public import Logging

/// This node's own TLS identity: its private key, its certificate chain (leaf
/// first, then any intermediates) and the federation root(s) it trusts, as
/// found in a node folder written by `kiemctl pki issue`
/// (`node.key`, `node.crt`, `ca.crt`).
///
/// Loading refuses a key that does not belong to the certificate, so a
/// misconfigured node fails at start-up with a clear message rather than in
/// every handshake.
public struct NodeTLSIdentity: Sendable {
    /// Leaf first.
    public let certificateChain: [Certificate]
    public let privateKey: Certificate.PrivateKey
    /// The federation root certificate(s) peers must chain to.
    public let trustRoots: [Certificate]

    /// The node's own certificate.
    public var certificate: Certificate { certificateChain[0] }

    /// Pairs a key with a chain, refusing a key that is not the leaf's.
    public init(certificateChain: [Certificate], privateKey: Certificate.PrivateKey, trustRoots: [Certificate]) throws(PKIError) {
        guard let leaf = certificateChain.first else {
            throw .unreadableFile(path: "certificate chain", reason: "it is empty")
        }
        guard privateKey.publicKey == leaf.publicKey else {
            throw .keyDoesNotMatchCertificate(key: "private key", certificate: leaf.subject.description)
        }
        guard !trustRoots.isEmpty else {
            throw .unreadableFile(path: "trust roots", reason: "no CA certificate given")
        }
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.trustRoots = trustRoots
    }

    /// Loads `node.key`, `node.crt` and `ca.crt` from a node folder.
    public static func load(directory: String, logger: Logger? = nil) throws(PKIError) -> NodeTLSIdentity {
        try load(
            privateKeyFile: FederationPKI.path(directory, FederationPKI.nodeKeyFileName),
            certificateChainFile: FederationPKI.path(directory, FederationPKI.nodeCertificateFileName),
            trustRootsFile: FederationPKI.path(directory, FederationPKI.caCertificateFileName),
            logger: logger
        )
    }

    /// Loads the three files from explicit paths. Logs a warning when the key
    /// file can be read by others than its owner.
    public static func load(
        privateKeyFile: String,
        certificateChainFile: String,
        trustRootsFile: String,
        logger: Logger? = nil
    ) throws(PKIError) -> NodeTLSIdentity {
        let key = try PEMFiles.privateKey(at: privateKeyFile)
        let chain = try PEMFiles.certificates(at: certificateChainFile)
        let roots = try PEMFiles.certificates(at: trustRootsFile)
        if let logger,
            let attributes = try? FileManager.default.attributesOfItem(atPath: privateKeyFile),
            let permissions = (attributes[.posixPermissions] as? NSNumber)?.uint16Value,
            permissions & 0o077 != 0
        {
            logger.warning(
                "private key file is readable by other users; it should be mode 0600",
                metadata: ["kiem.tls.key_file": "\(privateKeyFile)", "kiem.tls.key_mode": "\(String(permissions, radix: 8))"]
            )
        }
        do {
            return try NodeTLSIdentity(certificateChain: chain, privateKey: key, trustRoots: roots)
        } catch .keyDoesNotMatchCertificate {
            throw .keyDoesNotMatchCertificate(key: privateKeyFile, certificate: certificateChainFile)
        }
    }

    /// Checks this node's own chain with the policy peers will apply to it:
    /// `nil` if a peer with the same trust would accept it, else why not.
    public func selfCheck(trust: FederationTrust, at now: Date) async -> PeerRefusal? {
        switch await PeerCertificateVerifier(trust: trust).verify(presentedChain: certificateChain, at: now) {
        case .success: return nil
        case .failure(let refusal): return refusal
        }
    }
}
