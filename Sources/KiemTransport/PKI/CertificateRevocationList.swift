public import Foundation
public import X509
internal import SwiftASN1

/// An X.509 certificate revocation list (RFC 5280 section 5), as a CA such
/// as PKIoverheid publishes it: the serial numbers of certificates it
/// revoked, each with the time it did. kiemd reads one from `[tls] crl` at
/// start and on SIGHUP, and refuses the handshakes of the certificates it
/// lists (WIRE.md section 17).
///
/// Only what Kiem needs is read: issuer, thisUpdate, nextUpdate and the
/// revoked serials; extensions are skipped. The signature must verify with
/// the key of one of the given issuer certificates.
public struct CertificateRevocationList: Sendable {
    /// Who issued it (the CA whose certificates it revokes).
    public let issuer: DistinguishedName
    /// When it was issued.
    public let thisUpdate: Date
    /// When the next one is due, if it says.
    public let nextUpdate: Date?
    /// Each revoked certificate's serial number, with when it was revoked.
    public let revoked: [Certificate.SerialNumber: Date]
    private let signed: [UInt8]
    private let signatureAlgorithm: Certificate.SignatureAlgorithm?
    private let signatureAlgorithmOID: String
    private let signature: [UInt8]

    /// Reads a CRL from PEM (`-----BEGIN X509 CRL-----`) or DER bytes.
    public init(pemOrDER bytes: [UInt8]) throws(PKIError) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let begin = text.range(of: "-----BEGIN X509 CRL-----"), let end = text.range(of: "-----END X509 CRL-----") {
            let base64 = text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
            guard let der = Data(base64Encoded: String(base64)) else { throw Self.malformed("its PEM block is not base64") }
            try self.init(derEncoded: [UInt8](der))
        } else {
            try self.init(derEncoded: bytes)
        }
    }

    /// Reads a DER-encoded CRL.
    public init(derEncoded bytes: [UInt8]) throws(PKIError) {
        do {
            let root = try DER.parse(bytes)
            let parts = try Self.children(of: root, "CertificateList")
            guard parts.count == 3 else { throw Self.malformed("CertificateList has \(parts.count) parts, not 3") }
            signed = Array(parts[0].encodedBytes)
            signatureAlgorithmOID = try Self.algorithm(parts[1])
            signatureAlgorithm = Self.signatureAlgorithms[signatureAlgorithmOID]
            signature = Array(try ASN1BitString(derEncoded: parts[2]).bytes)

            var fields = try Self.children(of: parts[0], "TBSCertList")[...]
            if fields.first?.identifier == .integer { fields = fields.dropFirst() }
            guard fields.count >= 3 else { throw Self.malformed("TBSCertList is too short") }
            let inner = try Self.algorithm(fields.removeFirst())
            guard inner == signatureAlgorithmOID else {
                throw Self.malformed("its two signature algorithms differ (\(inner), \(signatureAlgorithmOID))")
            }
            issuer = try DistinguishedName(derEncoded: fields.removeFirst())
            thisUpdate = try Self.time(fields.removeFirst())
            var nextUpdate: Date?
            if let next = fields.first, next.identifier == .utcTime || next.identifier == .generalizedTime {
                nextUpdate = try Self.time(fields.removeFirst())
            }
            self.nextUpdate = nextUpdate
            var revoked: [Certificate.SerialNumber: Date] = [:]
            if let list = fields.first, list.identifier == .sequence {
                for entry in try Self.children(of: list, "revokedCertificates") {
                    let entryFields = try Self.children(of: entry, "a revoked certificate")
                    guard entryFields.count >= 2 else { throw Self.malformed("a revoked certificate entry is too short") }
                    let serial = Certificate.SerialNumber(bytes: try ArraySlice<UInt8>(derEncoded: entryFields[0]))
                    revoked[serial] = try Self.time(entryFields[1])
                }
            }
            self.revoked = revoked
        } catch let error as PKIError {
            throw error
        } catch {
            throw Self.malformed("\(error)")
        }
    }

    /// The certificate among `issuers` whose key signed it.
    /// - Throws: when none did, or its algorithm is not one Kiem checks.
    public func verifiedIssuer(among issuers: [Certificate]) throws(PKIError) -> Certificate {
        guard let signatureAlgorithm else {
            throw Self.malformed("it is signed with \(signatureAlgorithmOID), which kiemd does not check")
        }
        let issuer = issuers.first { candidate in
            candidate.subject == self.issuer
                && candidate.publicKey.isValidSignature(signature, for: signed, signatureAlgorithm: signatureAlgorithm)
        }
        guard let issuer else {
            throw Self.malformed("its signature is not that of a trusted CA named \(self.issuer)")
        }
        return issuer
    }

    /// When it revoked `certificate`, if it did and that time has come.
    public func revocation(of certificate: Certificate, at now: Date) -> Date? {
        guard certificate.issuer == issuer, let date = revoked[certificate.serialNumber], now >= date else { return nil }
        return date
    }

    private static let signatureAlgorithms: [String: Certificate.SignatureAlgorithm] = [
        "1.2.840.10045.4.3.2": .ecdsaWithSHA256, "1.2.840.10045.4.3.3": .ecdsaWithSHA384,
        "1.2.840.10045.4.3.4": .ecdsaWithSHA512, "1.2.840.113549.1.1.11": .sha256WithRSAEncryption,
        "1.2.840.113549.1.1.12": .sha384WithRSAEncryption, "1.2.840.113549.1.1.13": .sha512WithRSAEncryption,
    ]

    private static func malformed(_ reason: String) -> PKIError {
        .unreadableFile(path: "the CRL", reason: reason)
    }

    private static func children(of node: ASN1Node, _ what: String) throws -> [ASN1Node] {
        guard node.identifier == .sequence, case let .constructed(collection) = node.content else {
            throw malformed("\(what) is not a SEQUENCE")
        }
        return Array(collection)
    }

    private static func algorithm(_ node: ASN1Node) throws -> String {
        guard let oid = try children(of: node, "AlgorithmIdentifier").first else {
            throw malformed("an AlgorithmIdentifier is empty")
        }
        return try ASN1ObjectIdentifier(derEncoded: oid).description
    }

    private static func time(_ node: ASN1Node) throws -> Date {
        let parts: (year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int)
        switch node.identifier {
        case .utcTime:
            let time = try UTCTime(derEncoded: node)
            parts = (time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        case .generalizedTime:
            let time = try GeneralizedTime(derEncoded: node)
            parts = (time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        default:
            throw malformed("a time is neither UTCTime nor GeneralizedTime")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: parts.year, month: parts.month, day: parts.day, hour: parts.hours, minute: parts.minutes, second: parts.seconds)
        guard let date = calendar.date(from: components) else { throw malformed("a time is not a date") }
        return date
    }
}
