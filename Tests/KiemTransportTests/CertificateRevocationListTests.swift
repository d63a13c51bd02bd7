import Foundation
import KiemTestSupport
import KiemTransport
import Testing
import X509

/// CRLs as `openssl ca -gencrl` makes them: read from PEM or DER, checked
/// against the CA, and asked about certificates.
@Suite("certificate revocation lists", .enabled(if: TestCRL.openssl != nil, "openssl is not on PATH; .ci/run installs it"))
struct CertificateRevocationListTests {
    @Test("a CRL from openssl lists the revoked certificate and no other, and verifies against its CA only")
    func readAndVerify() async throws {
        let pki = try TestPKI()
        let revoked = try pki.node("svb", "svb-1").certificate
        let kept = try pki.node("uwv", "uwv-1").certificate
        let file = try TestPKI.temporaryDirectory("kiem-crl").appendingPathComponent("ca.crl")
        try await TestCRL.write(file, pki: pki, revoked: [revoked])
        let pem = try [UInt8](Data(contentsOf: file))
        let list = try CertificateRevocationList(pemOrDER: pem)
        #expect(list.issuer == pki.ca.certificate.subject)
        #expect(list.revoked.count == 1)
        #expect(list.nextUpdate.map { $0 > list.thisUpdate } == true)
        #expect(try list.verifiedIssuer(among: [pki.ca.certificate]) == pki.ca.certificate)
        #expect(list.revocation(of: revoked, at: Date()) != nil)
        #expect(list.revocation(of: kept, at: Date()) == nil)
        #expect(list.revocation(of: revoked, at: Date().addingTimeInterval(-3_600)) == nil, "not before its revocation time")

        // The same list as DER reads the same.
        let text = String(decoding: pem, as: UTF8.self)
        let base64 = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let der = try CertificateRevocationList(derEncoded: [UInt8](try #require(Data(base64Encoded: base64))))
        #expect(der.revoked == list.revoked && der.issuer == list.issuer)

        let other = try TestPKI(name: "Some other federation")
        #expect(throws: PKIError.self) { try list.verifiedIssuer(among: [other.ca.certificate]) }
    }

    @Test("a CRL whose revoked list was changed does not verify; bytes that are no CRL are refused")
    func tamperedAndGarbage() async throws {
        let pki = try TestPKI()
        let revoked = try pki.node("svb", "svb-1").certificate
        let file = try TestPKI.temporaryDirectory("kiem-crl").appendingPathComponent("ca.crl")
        try await TestCRL.write(file, pki: pki, revoked: [revoked])
        let text = try String(contentsOf: file, encoding: .utf8)
        let base64 = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        var der = [UInt8](try #require(Data(base64Encoded: base64)))
        let serial = Array(revoked.serialNumber.bytes)
        let at = try #require((0...(der.count - serial.count)).first { Array(der[$0..<($0 + serial.count)]) == serial })
        der[at + serial.count - 1] ^= 0x01
        let tampered = try CertificateRevocationList(derEncoded: der)
        #expect(throws: PKIError.self) { try tampered.verifiedIssuer(among: [pki.ca.certificate]) }
        #expect(throws: PKIError.self) { try CertificateRevocationList(pemOrDER: Array("no CRL here".utf8)) }
    }
}
