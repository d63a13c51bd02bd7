public import KiemCore
public import X509
import Crypto
import _CryptoExtras

extension OriginKey {
    /// The signing key of a node certificate: P-256 or RSA (nil for any other
    /// kind, which cannot sign Kiem chain heads).
    public init?(_ key: Certificate.PublicKey) {
        if let p256 = P256.Signing.PublicKey(key) {
            self = .p256(p256)
        } else if let rsa = _RSA.Signing.PublicKey(key) {
            self = .rsa(rsa)
        } else {
            return nil
        }
    }
}

extension OriginSigningKey {
    /// The node's private key as a chain-head signer.
    /// - Throws: ``PKIError/unreadableFile(path:reason:)`` when the key is
    ///   neither P-256 nor RSA.
    public init(_ key: Certificate.PrivateKey, source: String = "the node key") throws(PKIError) {
        let pem: String
        do {
            pem = try PEMFiles.pem(key)
        } catch {
            throw .unreadableFile(path: source, reason: "the key cannot be serialized: \(error)")
        }
        if let p256 = try? P256.Signing.PrivateKey(pemRepresentation: pem) {
            self = .p256(p256)
        } else if let rsa = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) {
            self = .rsa(rsa)
        } else {
            throw .unreadableFile(path: source, reason: "only P-256 and RSA keys can sign ops")
        }
    }
}

extension OriginIdentity {
    /// The origin identity a verified peer certificate vouches for: ops
    /// from `peer.node` must be authored by its organisation and signed with
    /// its key. Nil when the certificate's key cannot sign ops.
    public init?(_ peer: PeerIdentity) {
        guard let key = OriginKey(peer.publicKey) else { return nil }
        self.init(node: peer.node, organisation: peer.organisation, key: key)
    }
}
