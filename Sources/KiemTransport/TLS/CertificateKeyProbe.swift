internal import SwiftASN1

/// The kind and size of a certificate's public key, read straight from the
/// DER `SubjectPublicKeyInfo`.
///
/// swift-certificates refuses to parse RSA keys under 2048 bits at all, so
/// to *say* that a key is too small we must look before parsing.
enum CertificateKeyProbe: Hashable, Sendable {
    case ecdsa(curve: Curve)
    case rsa(bits: Int)
    case other(algorithm: String)

    enum Curve: String, Hashable, Sendable {
        case p256 = "P-256"
        case p384 = "P-384"
        case p521 = "P-521"
        case unknown = "unknown curve"
    }

    private static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
    private static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    private static let prime256v1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
    private static let secp384r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 34]
    private static let secp521r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 35]
    private static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]

    /// Reads the key of the DER certificate `der`.
    init(certificateDER der: [UInt8]) throws {
        let certificate = try DER.parse(der)
        let spki: ASN1Node = try DER.sequence(certificate, identifier: .sequence) { nodes in
            guard let tbs = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "empty certificate") }
            while nodes.next() != nil {}
            return try DER.sequence(tbs, identifier: .sequence) { fields in
                var field = fields.next()
                // version [0] EXPLICIT is optional
                if let version = field, version.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                    field = fields.next()
                }
                // serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo
                for _ in 0..<5 { field = fields.next() }
                guard let spki = field else { throw ASN1Error.invalidASN1Object(reason: "no subjectPublicKeyInfo") }
                while fields.next() != nil {}
                return spki
            }
        }
        self = try Self(subjectPublicKeyInfo: spki)
    }

    private init(subjectPublicKeyInfo node: ASN1Node) throws {
        let (algorithm, parameters, key): (ASN1ObjectIdentifier, ASN1Node?, ASN1BitString) =
            try DER.sequence(node, identifier: .sequence) { nodes in
                guard let algorithmNode = nodes.next(), let keyNode = nodes.next() else {
                    throw ASN1Error.invalidASN1Object(reason: "short subjectPublicKeyInfo")
                }
                let (oid, parameters): (ASN1ObjectIdentifier, ASN1Node?) =
                    try DER.sequence(algorithmNode, identifier: .sequence) { parts in
                        guard let oidNode = parts.next() else {
                            throw ASN1Error.invalidASN1Object(reason: "no algorithm")
                        }
                        let parameters = parts.next()
                        while parts.next() != nil {}
                        return (try ASN1ObjectIdentifier(derEncoded: oidNode), parameters)
                    }
                return (oid, parameters, try ASN1BitString(derEncoded: keyNode))
            }
        switch algorithm {
        case Self.rsaEncryption:
            let modulus: ArraySlice<UInt8> = try DER.sequence(try DER.parse(key.bytes), identifier: .sequence) { parts in
                guard let modulusNode = parts.next() else { throw ASN1Error.invalidASN1Object(reason: "no modulus") }
                while parts.next() != nil {}
                return try ArraySlice<UInt8>(derEncoded: modulusNode)
            }
            self = .rsa(bits: Self.bitLength(of: modulus))
        case Self.ecPublicKey:
            var curve = Curve.unknown
            if let parameters, let oid = try? ASN1ObjectIdentifier(derEncoded: parameters) {
                switch oid {
                case Self.prime256v1: curve = .p256
                case Self.secp384r1: curve = .p384
                case Self.secp521r1: curve = .p521
                default: curve = .unknown
                }
            }
            self = .ecdsa(curve: curve)
        case Self.ed25519:
            self = .other(algorithm: "Ed25519")
        default:
            self = .other(algorithm: "\(algorithm)")
        }
    }

    /// Bit length of a big-endian unsigned integer.
    static func bitLength(of bytes: ArraySlice<UInt8>) -> Int {
        let significant = bytes.drop(while: { $0 == 0 })
        guard let first = significant.first else { return 0 }
        return (significant.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }
}
