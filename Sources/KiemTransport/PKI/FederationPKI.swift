public import Foundation
public import KiemCore
public import X509
internal import Crypto

/// The file-level PKI operations behind `kiemctl pki init-ca` and
/// `kiemctl pki issue`, kept here so that tests and other tools run exactly
/// what the command line runs.
///
/// File layout:
/// ```
/// CA folder:    ca.key (0600)  ca.crt (0644)
/// node folder:  node.key (0600)  node.crt (0644)  ca.crt (0644, copy of the CA certificate)
/// ```
public enum FederationPKI {
    public static let caKeyFileName = "ca.key"
    public static let caCertificateFileName = "ca.crt"
    public static let nodeKeyFileName = "node.key"
    public static let nodeCertificateFileName = "node.crt"

    /// Private keys are created readable by their owner only.
    public static let privateKeyPermissions: UInt16 = 0o600
    /// Certificates are public.
    public static let certificatePermissions: UInt16 = 0o644

    /// How far `notValidBefore` is set back from "now", so that a peer whose
    /// clock is a little behind still accepts a certificate issued moments ago.
    public static let backdating: TimeInterval = 5 * 60

    /// Default lifetimes, in days.
    public static let defaultCAValidityDays = 3650
    public static let defaultNodeValidityDays = 365

    /// What an operation wrote.
    public struct Outcome: Sendable {
        /// The files written, in order.
        public var files: [String]
        /// The new certificate (CA or node).
        public var certificate: Certificate
        /// The CA certificate involved.
        public var caCertificate: Certificate
    }

    /// Creates a new federation CA in `directory`: `ca.key` (0600) and `ca.crt`.
    public static func initCA(
        directory: String,
        name: String,
        validityDays: Int,
        force: Bool,
        now: Date
    ) throws -> Outcome {
        let keyPath = Self.path(directory, caKeyFileName)
        let certificatePath = Self.path(directory, caCertificateFileName)
        try Self.refuseExisting([keyPath, certificatePath], force: force)
        let ca = try FederationCA.generate(
            name: name,
            notValidBefore: now.addingTimeInterval(-backdating),
            notValidAfter: now.addingTimeInterval(TimeInterval(validityDays) * 86_400)
        )
        try PKIFileWriter.ensureDirectory(directory)
        try PKIFileWriter.write(
            [
                PKIFile(path: keyPath, contents: try PEMFiles.pem(ca.privateKey), permissions: privateKeyPermissions),
                PKIFile(path: certificatePath, contents: try PEMFiles.pem([ca.certificate]), permissions: certificatePermissions),
            ],
            force: force
        )
        return Outcome(files: [keyPath, certificatePath], certificate: ca.certificate, caCertificate: ca.certificate)
    }

    /// Loads the CA in `directory` (`ca.key`, `ca.crt`), checking that the key
    /// belongs to the certificate.
    public static func loadCA(directory: String) throws(PKIError) -> FederationCA {
        let keyPath = Self.path(directory, caKeyFileName)
        let certificatePath = Self.path(directory, caCertificateFileName)
        let key = try PEMFiles.privateKey(at: keyPath)
        guard let certificate = try PEMFiles.certificates(at: certificatePath).first else {
            throw .unreadableFile(path: certificatePath, reason: "no certificate in it")
        }
        guard key.publicKey == certificate.publicKey else {
            throw .keyDoesNotMatchCertificate(key: keyPath, certificate: certificatePath)
        }
        return try FederationCA(certificate: certificate, privateKey: key)
    }

    /// Issues a node certificate with the CA in `caDirectory` and writes a
    /// self-contained node folder: `node.key` (0600), `node.crt`, `ca.crt`.
    ///
    /// - Parameter oin: The organisation's OIN; `nil` derives a test OIN with
    ///   ``OIN/testOIN(for:)`` (test federations only).
    public static func issue(
        caDirectory: String,
        organisation: OrganisationID,
        node: NodeID,
        oin: OIN?,
        validityDays: Int,
        outDirectory: String,
        force: Bool,
        now: Date
    ) throws -> Outcome {
        let caFolder = URL(fileURLWithPath: caDirectory).standardizedFileURL.resolvingSymlinksInPath().path
        let outFolder = URL(fileURLWithPath: outDirectory).standardizedFileURL.resolvingSymlinksInPath().path
        guard caFolder != outFolder else { throw PKIError.outputIsCAFolder(path: outDirectory) }

        let keyPath = Self.path(outDirectory, nodeKeyFileName)
        let certificatePath = Self.path(outDirectory, nodeCertificateFileName)
        let caCopyPath = Self.path(outDirectory, caCertificateFileName)
        try Self.refuseExisting([keyPath, certificatePath, caCopyPath], force: force)

        let ca = try loadCA(directory: caDirectory)
        guard now < ca.certificate.notValidAfter, now >= ca.certificate.notValidBefore else {
            throw PKIError.caNotValid(
                path: Self.path(caDirectory, caCertificateFileName),
                reason: "it is valid from \(ca.certificate.notValidBefore) until \(ca.certificate.notValidAfter)"
            )
        }
        let request = NodeCertificateRequest(
            organisation: organisation,
            node: node,
            oin: oin ?? OIN.testOIN(for: organisation),
            notValidBefore: now.addingTimeInterval(-backdating),
            notValidAfter: min(
                now.addingTimeInterval(TimeInterval(validityDays) * 86_400),
                ca.certificate.notValidAfter
            )
        )
        let (certificate, key) = try ca.issue(request)
        try PKIFileWriter.ensureDirectory(outDirectory)
        try PKIFileWriter.write(
            [
                PKIFile(path: keyPath, contents: try PEMFiles.pem(key), permissions: privateKeyPermissions),
                PKIFile(path: certificatePath, contents: try PEMFiles.pem([certificate]), permissions: certificatePermissions),
                PKIFile(path: caCopyPath, contents: try PEMFiles.pem([ca.certificate]), permissions: certificatePermissions),
            ],
            force: force
        )
        return Outcome(files: [keyPath, certificatePath, caCopyPath], certificate: certificate, caCertificate: ca.certificate)
    }

    /// Renews the certificate of the node folder `nodeDirectory` (from
    /// ``issue(caDirectory:organisation:node:oin:validityDays:outDirectory:force:now:)``):
    /// a new `node.crt` for the same organisation, node, OIN and key, valid
    /// for `validityDays` from now, replaced atomically. `ca.crt` (which may
    /// hold two CAs during a CA rotation) is not touched. The node picks the
    /// certificate up when kiemd restarts; its origin log goes on, since the
    /// key is the same.
    ///
    /// With `newKey`, the certificate is for a fresh P-256 key, written to
    /// `node.key` (0600) after `node.crt`: a key rotation. Peers keep the
    /// old certificate beside the new one, so the node's older ops still
    /// verify, and its chain goes on under the new key.
    public static func renew(
        caDirectory: String, nodeDirectory: String, validityDays: Int, newKey: Bool = false, now: Date
    ) throws -> Outcome {
        let keyPath = Self.path(nodeDirectory, nodeKeyFileName)
        let certificatePath = Self.path(nodeDirectory, nodeCertificateFileName)
        let key = try PEMFiles.privateKey(at: keyPath)
        guard let current = try PEMFiles.certificates(at: certificatePath).first else {
            throw PKIError.unreadableFile(path: certificatePath, reason: "no certificate in it")
        }
        guard key.publicKey == current.publicKey else {
            throw PKIError.keyDoesNotMatchCertificate(key: keyPath, certificate: certificatePath)
        }
        let identity: PeerIdentity
        switch PeerIdentity.extract(leaf: current, chain: [current], membership: [:]) {
        case let .success(extracted): identity = extracted
        case let .failure(refusal):
            throw PKIError.unreadableFile(path: certificatePath, reason: "it names no Kiem node: \(refusal.sentence)")
        }
        let ca = try loadCA(directory: caDirectory)
        guard now < ca.certificate.notValidAfter, now >= ca.certificate.notValidBefore else {
            throw PKIError.caNotValid(
                path: Self.path(caDirectory, caCertificateFileName),
                reason: "it is valid from \(ca.certificate.notValidBefore) until \(ca.certificate.notValidAfter)")
        }
        let request = NodeCertificateRequest(
            organisation: identity.organisation, node: identity.node, oin: identity.oin ?? OIN.testOIN(for: identity.organisation),
            notValidBefore: now.addingTimeInterval(-backdating),
            notValidAfter: min(now.addingTimeInterval(TimeInterval(validityDays) * 86_400), ca.certificate.notValidAfter))
        let signingKey = newKey ? Certificate.PrivateKey(P256.Signing.PrivateKey()) : key
        let certificate = try ca.issue(request, publicKey: signingKey.publicKey)
        var files = [PKIFile(path: certificatePath, contents: try PEMFiles.pem([certificate]), permissions: certificatePermissions)]
        if newKey {
            files.append(PKIFile(path: keyPath, contents: try PEMFiles.pem(signingKey), permissions: privateKeyPermissions))
        }
        try PKIFileWriter.write(files, force: true)
        return Outcome(files: files.map(\.path), certificate: certificate, caCertificate: ca.certificate)
    }

    /// Signs a revocation with the CA in `caDirectory` and writes it to
    /// `outFile` (``RevocationFile``), mode 0644.
    public static func revoke(
        caDirectory: String, revocation: Revocation, outFile: String, force: Bool
    ) throws -> VerifiedRevocation {
        try Self.refuseExisting([outFile], force: force)
        let ca = try loadCA(directory: caDirectory)
        let signed = try revocation.signed(by: ca)
        try PKIFileWriter.write(
            [PKIFile(path: outFile, contents: try RevocationFile.text(signed), permissions: certificatePermissions)],
            force: force)
        return signed
    }

    static func path(_ directory: String, _ name: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(name).path
    }

    private static func refuseExisting(_ paths: [String], force: Bool) throws(PKIError) {
        guard !force else { return }
        for path in paths where FileManager.default.fileExists(atPath: path) {
            throw .fileExists(path: path)
        }
    }
}
