@preconcurrency public import Crypto
@preconcurrency public import _CryptoExtras

/// The public key of an origin node, taken from its certificate: P-256 for
/// Kiem-issued certificates, RSA for a PKIoverheid-style chain.
public enum OriginKey: Sendable {
    case p256(P256.Signing.PublicKey)
    case rsa(_RSA.Signing.PublicKey)

    /// Whether `signature` is the key's signature over `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        switch self {
        case let .p256(key):
            guard let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: message)
        case let .rsa(key):
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .PSS)
        }
    }
}

/// A node's private key, used to sign the heads of the ops it writes.
public enum OriginSigningKey: Sendable {
    case p256(P256.Signing.PrivateKey)
    case rsa(_RSA.Signing.PrivateKey)

    /// Signs `message`.
    public func signature(for message: [UInt8]) throws -> [UInt8] {
        switch self {
        case let .p256(key): Array(try key.signature(for: message).rawRepresentation)
        case let .rsa(key): Array(try key.signature(for: message, padding: .PSS).rawRepresentation)
        }
    }

    /// The matching public key.
    public var publicKey: OriginKey {
        switch self {
        case let .p256(key): .p256(key.publicKey)
        case let .rsa(key): .rsa(key.publicKey)
        }
    }
}
