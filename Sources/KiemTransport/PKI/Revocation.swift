public import Foundation
public import KiemCore
public import KiemProtocol
public import X509
internal import Crypto
internal import SwiftProtobuf

/// The federation CA's word that a node, or every node of an organisation,
/// is no longer a member (WIRE.md section 17): from ``revokedAt`` on, TLS
/// sessions with it are refused and its ops written from then on are
/// rejected. Ops it wrote before stay valid.
///
/// A revocation is an identity, not a certificate: renewing a revoked node's
/// certificate does not readmit it; the organisation issues a new node id.
public struct Revocation: Hashable, Sendable, CustomStringConvertible {
    /// The revoked organisation, or the organisation of the revoked node.
    public var organisation: OrganisationID
    /// The revoked node; nil revokes every node of ``organisation``.
    public var node: NodeID?
    /// Why, for people.
    public var reason: String
    /// From when on (whole milliseconds).
    public var revokedAt: Date
    /// When the CA signed it (whole milliseconds).
    public var issuedAt: Date

    /// The longest reason, in bytes of UTF-8.
    public static let maxReasonBytes = 256
    /// The largest signed revocation a node takes, in bytes.
    public static let maxSignedBytes = 2_048
    /// What the CA signs: these bytes, then the serialized ``Revocation``.
    public static let signingContext = Array("kiem.v1.Revocation".utf8) + [0]

    /// Creates a revocation; times are cut to whole milliseconds, as the
    /// wire carries them.
    public init(organisation: OrganisationID, node: NodeID?, reason: String, revokedAt: Date, issuedAt: Date) {
        self.organisation = organisation
        self.node = node
        self.reason = reason
        self.revokedAt = Date(millisecondsSince1970: revokedAt.millisecondsSince1970)
        self.issuedAt = Date(millisecondsSince1970: issuedAt.millisecondsSince1970)
    }

    /// "node uwv-1 of uwv" or "organisation uwv".
    public var description: String {
        node.map { "node \($0) of \(organisation)" } ?? "organisation \(organisation)"
    }

    /// Whether it revokes `node` of `organisation` at `now`.
    public func revokes(organisation: OrganisationID, node: NodeID, at now: Date) -> Bool {
        now >= revokedAt && organisation == self.organisation && (self.node == nil || self.node == node)
    }

    /// The first hybrid-logical-clock time whose ops it rejects.
    public var revokedHLC: HLCTimestamp {
        HLCTimestamp(wallMillis: revokedAt.millisecondsSince1970, logical: 0)
    }

    /// The message.
    public var proto: Kiem_V1_Revocation {
        Kiem_V1_Revocation.with {
            $0.organisation = organisation.rawValue
            $0.node = node?.rawValue ?? ""
            $0.reason = reason
            $0.revokedAtMillis = revokedAt.millisecondsSince1970
            $0.issuedAtMillis = issuedAt.millisecondsSince1970
        }
    }

    /// Reads a message, checking every field.
    public init(_ message: Kiem_V1_Revocation) throws(RevocationError) {
        let organisation: OrganisationID
        do {
            organisation = try OrganisationID(message.organisation)
        } catch {
            throw .malformed("organisation \"\(message.organisation)\": \(error)")
        }
        var node: NodeID?
        if !message.node.isEmpty {
            do {
                node = try NodeID(message.node)
            } catch {
                throw .malformed("node \"\(message.node)\": \(error)")
            }
        }
        guard message.reason.utf8.count <= Self.maxReasonBytes else {
            throw .malformed("its reason has \(message.reason.utf8.count) bytes; at most \(Self.maxReasonBytes) are allowed")
        }
        guard message.revokedAtMillis > 0, message.revokedAtMillis < 1 << 48 else {
            throw .malformed("revoked_at_millis \(message.revokedAtMillis) is not a time")
        }
        self.init(organisation: organisation, node: node, reason: message.reason,
                  revokedAt: Date(millisecondsSince1970: message.revokedAtMillis),
                  issuedAt: Date(millisecondsSince1970: message.issuedAtMillis))
    }

    /// Signs it with the federation CA's key (ECDSA only).
    public func signed(by ca: FederationCA) throws(RevocationError) -> VerifiedRevocation {
        let body: [UInt8]
        do {
            body = try proto.serializedBytes()
        } catch {
            throw .malformed("it does not serialize: \(error)")
        }
        guard let algorithm = Self.signatureAlgorithm(for: ca.privateKey.publicKey) else {
            throw .unsupportedKey("the CA key is not ECDSA P-256 or P-384; revoke with a CRL instead")
        }
        let signature: Certificate.Signature
        do {
            signature = try ca.privateKey.sign(bytes: Self.signingContext + body, signatureAlgorithm: algorithm)
        } catch {
            throw .unsupportedKey("the CA key cannot sign: \(error)")
        }
        let signed = Kiem_V1_SignedRevocation.with {
            $0.revocation = Data(body)
            $0.signature = Data(signature.rawRepresentation)
        }
        return try VerifiedRevocation(verifying: signed, roots: [ca.certificate])
    }

    /// The signature algorithm a CA key of this kind signs revocations with.
    static func signatureAlgorithm(for key: Certificate.PublicKey) -> Certificate.SignatureAlgorithm? {
        if P256.Signing.PublicKey(key) != nil { return .ecdsaWithSHA256 }
        if P384.Signing.PublicKey(key) != nil { return .ecdsaWithSHA384 }
        return nil
    }
}

/// A revocation whose signature verified against a trust root.
public struct VerifiedRevocation: Hashable, Sendable {
    /// What it revokes.
    public let revocation: Revocation
    /// The message as signed, passed on to peers unchanged.
    public let signed: Kiem_V1_SignedRevocation

    /// Checks `signed` against `roots` (the node's trust roots): one of them
    /// must have signed it. A relay vouches for nothing.
    public init(verifying signed: Kiem_V1_SignedRevocation, roots: [Certificate]) throws(RevocationError) {
        let size = signed.revocation.count + signed.signature.count
        guard size <= Revocation.maxSignedBytes else { throw .tooLarge(bytes: size) }
        let message = Revocation.signingContext + [UInt8](signed.revocation)
        let signer = roots.first { root in
            guard let algorithm = Revocation.signatureAlgorithm(for: root.publicKey) else { return false }
            return root.publicKey.isValidSignature(signed.signature, for: message, signatureAlgorithm: algorithm)
        }
        guard signer != nil else { throw .badSignature }
        let body: Kiem_V1_Revocation
        do {
            body = try Kiem_V1_Revocation(serializedBytes: [UInt8](signed.revocation))
        } catch {
            throw .malformed("its body does not decode: \(error)")
        }
        self.revocation = try Revocation(body)
        self.signed = signed
    }

    /// Identifies it: the SHA-256 of its signed body.
    public var id: [UInt8] { signed.revocationID }

    /// ``id`` in lowercase hex.
    public var hexID: String { id.map { String(format: "%02x", $0) }.joined() }
}

extension Kiem_V1_SignedRevocation {
    /// The id of the revocation it carries: the SHA-256 of its body,
    /// whether or not its signature verifies.
    public var revocationID: [UInt8] { Array(SHA256.hash(data: revocation)) }
}

/// Why a revocation was not taken.
public enum RevocationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Its signature is not one of a trusted root's.
    case badSignature
    /// It is larger than ``Revocation/maxSignedBytes``.
    case tooLarge(bytes: Int)
    /// It does not decode, or a field is not valid.
    case malformed(String)
    /// The CA key cannot sign revocations.
    case unsupportedKey(String)

    public var description: String {
        switch self {
        case .badSignature: "its signature is not the federation CA's (none of this node's trust roots signed it)"
        case let .tooLarge(bytes): "it has \(bytes) bytes; at most \(Revocation.maxSignedBytes) are allowed"
        case let .malformed(reason): "it is malformed: \(reason)"
        case let .unsupportedKey(reason): reason
        }
    }
}

extension Date {
    /// Whole milliseconds since 1970.
    var millisecondsSince1970: UInt64 { UInt64(max(0, (timeIntervalSince1970 * 1000).rounded(.down))) }

    init(millisecondsSince1970 millis: UInt64) {
        self.init(timeIntervalSince1970: TimeInterval(millis) / 1000)
    }
}
