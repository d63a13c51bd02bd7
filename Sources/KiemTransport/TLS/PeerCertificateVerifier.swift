public import Foundation
@_spi(DisableValidityCheck) public import X509
internal import SwiftASN1

/// Decides whether a certificate chain presented in a TLS handshake belongs to
/// a member of the federation, and if so who it is.
///
/// This is the whole certificate policy as a value: chain in, time in,
/// ``PeerIdentity`` or ``PeerRefusal`` out. The TLS glue
/// (``KiemTLSContext``) calls it from NIOSSL's custom verification callback,
/// which replaces BoringSSL's own chain verification entirely, so nothing but
/// ``FederationTrust/roots`` is ever trusted.
///
/// Checks, in order (the first that fails names the refusal):
/// 1. a certificate was presented (``PeerRefusal/noCertificate``);
/// 2. the leaf key is ECDSA P-256/P-384, or RSA within the accepted sizes;
/// 3. every certificate parses;
/// 4. the chain leads to a federation root, with valid signatures and basic
///    constraints (``PeerRefusal/untrustedChain(subject:issuer:)``);
/// 5. every certificate in that chain is valid at `now`
///    (``PeerRefusal/expired(subject:notValidAfter:)``);
/// 6. the leaf names an organisation and node (``PeerIdentity/extract(leaf:chain:membership:)``).
public struct PeerCertificateVerifier: Sendable {
    public var trust: FederationTrust

    public init(trust: FederationTrust) {
        self.trust = trust
    }

    /// Verifies `presentedChain` (DER, leaf first, as sent by the peer) at `now`.
    public func verify(presentedChain: [[UInt8]], at now: Date) async -> Result<PeerIdentity, PeerRefusal> {
        guard let leafDER = presentedChain.first else { return .failure(.noCertificate) }

        switch try? CertificateKeyProbe(certificateDER: leafDER) {
        case .none:
            return .failure(.malformedCertificate(reason: "the leaf's public key could not be read"))
        case .ecdsa(curve: .p256), .ecdsa(curve: .p384):
            break
        case .ecdsa(let curve):
            return .failure(.unsupportedKey(algorithm: "ECDSA \(curve.rawValue)"))
        case .rsa(let bits):
            guard trust.rsaKeySizes.contains(bits) else {
                return .failure(.rsaKeySizeOutOfRange(bits: bits, allowed: trust.rsaKeySizes))
            }
        case .other(let algorithm):
            return .failure(.unsupportedKey(algorithm: algorithm))
        }

        var certificates: [Certificate] = []
        for (index, der) in presentedChain.enumerated() {
            do {
                certificates.append(try Certificate(derEncoded: der))
            } catch {
                return .failure(.malformedCertificate(reason: "certificate \(index) of the chain: \(error)"))
            }
        }
        return await verify(presentedChain: certificates, at: now)
    }

    /// Verifies already parsed certificates (leaf first) at `now`.
    public func verify(presentedChain: [Certificate], at now: Date) async -> Result<PeerIdentity, PeerRefusal> {
        guard let leaf = presentedChain.first else { return .failure(.noCertificate) }

        var verifier = Verifier(rootCertificates: CertificateStore(trust.roots)) {
            // Chain building, signatures, version, basic and name constraints;
            // validity is checked below against the injected time, so that an
            // expired chain is told apart from a foreign one.
            RFC5280Policy.withValidityCheckDisabled()
        }
        let validated: [Certificate]
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(presentedChain.dropFirst())) {
        case .validCertificate(let chain):
            validated = Array(chain)
        case .couldNotValidate(let failures):
            if let failure = failures.first {
                return .failure(.invalidChain(reason: "\(failure.policyFailureReason)"))
            }
            return .failure(.untrustedChain(subject: leaf.subject.description, issuer: leaf.issuer.description))
        }

        for certificate in validated {
            if now > certificate.notValidAfter {
                return .failure(.expired(subject: certificate.subject.description, notValidAfter: certificate.notValidAfter))
            }
            if now < certificate.notValidBefore {
                return .failure(.notYetValid(subject: certificate.subject.description, notValidBefore: certificate.notValidBefore))
            }
        }

        return PeerIdentity.extract(leaf: leaf, chain: validated, membership: trust.membership)
    }
}

extension Certificate {
    /// The DER encoding.
    var derBytes: [UInt8] {
        get throws {
            var serializer = DER.Serializer()
            try serializer.serialize(self)
            return serializer.serializedBytes
        }
    }
}
