public import Foundation

/// Why a peer's TLS connection was refused (or why a peer refused ours).
///
/// Each case has a stable ``code`` for logs and metrics (`kiem.tls.refusal`)
/// and a human ``sentence``. Certificate checks produce these as values
/// (``PeerCertificateVerifier``); TLS handshake errors are mapped onto them by
/// ``classify(handshakeError:)``.
public enum PeerRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The peer presented no certificate.
    case noCertificate
    /// The peer's chain does not lead to a trusted federation CA.
    case untrustedChain(subject: String, issuer: String)
    /// A chain to a federation CA exists but breaks a rule (e.g. an
    /// intermediate that is not a CA).
    case invalidChain(reason: String)
    /// A certificate in the chain has expired.
    case expired(subject: String, notValidAfter: Date)
    /// A certificate in the chain is not valid yet.
    case notYetValid(subject: String, notValidBefore: Date)
    /// The peer does not hold the private key of its certificate: its TLS
    /// CertificateVerify signature did not verify (proof of possession failed).
    case keyMismatch
    /// The certificate names an OIN that is not in the membership list.
    case unknownOIN(OIN)
    /// The leaf has an RSA key whose size is outside the accepted range.
    case rsaKeySizeOutOfRange(bits: Int, allowed: ClosedRange<Int>)
    /// The leaf key is neither ECDSA P-256/P-384 nor RSA.
    case unsupportedKey(algorithm: String)
    /// The certificate says neither which organisation nor which node it is.
    case missingIdentity(reason: String)
    /// The certificate names one organisation in its URN and another through
    /// its OIN.
    case conflictingIdentity(reason: String)
    /// A certificate could not be parsed.
    case malformedCertificate(reason: String)
    /// A dialled peer authenticated as someone other than expected.
    case unexpectedPeer(expected: String, presented: String)
    /// A federation member dialled in, but this node accepts only the nodes
    /// in its peer list (kiemd.toml `accept = "peers"`) and it is not one.
    case notAPeer(presented: String)
    /// The federation CA revoked the peer (or its organisation).
    case revoked(presented: String, revocation: String, reason: String)
    /// The peer aborted the handshake with a TLS alert: it refused us.
    case rejectedByPeer(alert: String)
    /// The handshake did not agree on the application protocol (ALPN) this
    /// side requires: the peer offered another one, or none.
    case applicationProtocolMismatch(required: [String], negotiated: String?)
    /// Any other TLS failure (no common protocol version, connection closed
    /// during the handshake, ...).
    case handshakeFailed(reason: String)

    /// A stable, short, machine-readable name.
    public var code: String {
        switch self {
        case .noCertificate: return "no-certificate"
        case .untrustedChain: return "untrusted-chain"
        case .invalidChain: return "invalid-chain"
        case .expired: return "expired"
        case .notYetValid: return "not-yet-valid"
        case .keyMismatch: return "key-mismatch"
        case .unknownOIN: return "unknown-oin"
        case .rsaKeySizeOutOfRange: return "rsa-key-size"
        case .unsupportedKey: return "unsupported-key"
        case .missingIdentity: return "missing-identity"
        case .conflictingIdentity: return "conflicting-identity"
        case .malformedCertificate: return "malformed-certificate"
        case .unexpectedPeer: return "unexpected-peer"
        case .notAPeer: return "not-a-peer"
        case .revoked: return "revoked"
        case .rejectedByPeer: return "rejected-by-peer"
        case .applicationProtocolMismatch: return "alpn"
        case .handshakeFailed: return "handshake-failed"
        }
    }

    /// One sentence saying what happened, for the log and the operator.
    public var sentence: String {
        switch self {
        case .noCertificate:
            return "The peer presented no client certificate."
        case .untrustedChain(let subject, let issuer):
            return "The certificate '\(subject)' was issued by '\(issuer)', which is not a trusted federation CA."
        case .invalidChain(let reason):
            return "The certificate chain leads to a federation CA but is not valid: \(reason)."
        case .expired(let subject, let notValidAfter):
            return "The certificate '\(subject)' expired at \(Self.timestamp(notValidAfter))."
        case .notYetValid(let subject, let notValidBefore):
            return "The certificate '\(subject)' is not valid before \(Self.timestamp(notValidBefore))."
        case .keyMismatch:
            return "The peer's handshake signature does not match the key in its certificate: it does not hold that certificate's private key."
        case .unknownOIN(let oin):
            return "The certificate's OIN \(oin) is not in the federation membership list."
        case .rsaKeySizeOutOfRange(let bits, let allowed):
            return "The certificate has a \(bits)-bit RSA key; accepted are \(allowed.lowerBound) to \(allowed.upperBound) bits."
        case .unsupportedKey(let algorithm):
            return "The certificate has a \(algorithm) key; accepted are ECDSA P-256, P-384 and RSA keys."
        case .missingIdentity(let reason):
            return "The certificate does not identify a Kiem organisation and node: \(reason)."
        case .conflictingIdentity(let reason):
            return "The certificate identifies two different organisations: \(reason)."
        case .malformedCertificate(let reason):
            return "The certificate could not be read: \(reason)."
        case .unexpectedPeer(let expected, let presented):
            return "Expected to reach \(expected), but the peer authenticated as \(presented)."
        case .notAPeer(let presented):
            return "\(presented) is a federation member but not one of this node's peers, and this node accepts only its peers (accept = \"peers\")."
        case .revoked(let presented, let revocation, let reason):
            return "\(presented) was revoked by the federation CA (\(revocation): \(reason))."
        case .rejectedByPeer(let alert):
            return "The peer refused the connection with TLS alert '\(alert)' (it did not accept this node's certificate or settings)."
        case .applicationProtocolMismatch(let required, let negotiated):
            let got = negotiated.map { "'\($0)'" } ?? "no protocol"
            return "The handshake agreed on \(got) by ALPN; this node speaks only \(required.map { "'\($0)'" }.joined(separator: ", "))."
        case .handshakeFailed(let reason):
            return "The TLS handshake failed: \(reason)."
        }
    }

    public var description: String { "\(code): \(sentence)" }

    private static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
