import Foundation
import KiemCore
import KiemProtocol
import KiemTestSupport
import KiemTransport
import SwiftProtobuf
import Testing

/// Revocations signed by the federation CA: only a trust root's signature
/// over exactly the signed bytes makes one, and the file kiemctl writes
/// reads back to the same message.
@Suite("revocations")
struct RevocationTests {
    static func revocation(node: String? = "uwv-1", reason: String = "node key stolen") throws -> Revocation {
        Revocation(organisation: try OrganisationID("uwv"), node: try node.map(NodeID.init), reason: reason,
                   revokedAt: Date(timeIntervalSince1970: 1_796_126_400.123), issuedAt: Date(timeIntervalSince1970: 1_796_126_500))
    }

    @Test("a revocation signed by the CA verifies against the CA's certificate and reads back to what was signed")
    func signAndVerify() throws {
        let pki = try TestPKI()
        let signed = try Self.revocation().signed(by: pki.ca)
        let verified = try VerifiedRevocation(verifying: signed.signed, roots: [pki.ca.certificate])
        #expect(verified.revocation == (try Self.revocation()))
        #expect(verified.revocation.revokedHLC == HLCTimestamp(wallMillis: 1_796_126_400_123, logical: 0))
        #expect(verified.id == signed.id && verified.hexID.count == 64)
        let whole = try Self.revocation(node: nil).signed(by: pki.ca)
        #expect(whole.revocation.description == "organisation uwv")
        #expect(whole.id != signed.id)
    }

    @Test("another CA's signature, a changed body, a moved signature and an oversized or malformed revocation are refused")
    func refusals() throws {
        let pki = try TestPKI()
        let other = try TestPKI(name: "Some other federation")
        let signed = try Self.revocation().signed(by: pki.ca).signed
        #expect(throws: RevocationError.badSignature) {
            try VerifiedRevocation(verifying: try Self.revocation().signed(by: other.ca).signed, roots: [pki.ca.certificate])
        }
        var changed = try Kiem_V1_Revocation(serializedBytes: [UInt8](signed.revocation))
        changed.node = "uwv-2"
        var tampered = signed
        tampered.revocation = try changed.serializedBytes()
        #expect(throws: RevocationError.badSignature) { try VerifiedRevocation(verifying: tampered, roots: [pki.ca.certificate]) }
        var unsigned = signed
        unsigned.signature = Data()
        #expect(throws: RevocationError.badSignature) { try VerifiedRevocation(verifying: unsigned, roots: [pki.ca.certificate]) }
        var huge = signed
        huge.revocation = Data(repeating: 0, count: Revocation.maxSignedBytes)
        #expect(throws: RevocationError.tooLarge(bytes: Revocation.maxSignedBytes + signed.signature.count)) {
            try VerifiedRevocation(verifying: huge, roots: [pki.ca.certificate])
        }
        // A CA-signed body that is not a valid revocation is refused too.
        var badNode = try Self.revocation().proto
        badNode.node = "Not A Slug"
        #expect(throws: RevocationError.self) { try Revocation(badNode) }
        var noTime = try Self.revocation().proto
        noTime.revokedAtMillis = 0
        #expect(throws: RevocationError.malformed("revoked_at_millis 0 is not a time")) { try Revocation(noTime) }
    }

    @Test("pki revoke writes a file that reads back to the signed message; a file without the block is refused")
    func file() throws {
        let directory = try TestPKI.temporaryDirectory()
        let caFolder = directory.appendingPathComponent("ca").path
        _ = try FederationPKI.initCA(directory: caFolder, name: "Kiem test federation", validityDays: 30, force: false, now: Date())
        let out = directory.appendingPathComponent("uwv-1.revocation").path
        let written = try FederationPKI.revoke(caDirectory: caFolder, revocation: try Self.revocation(), outFile: out, force: false)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.hasPrefix("Kiem revocation of node uwv-1 of uwv, from "))
        #expect(try RevocationFile.signedRevocation(in: text) == written.signed)
        #expect(throws: PKIError.fileExists(path: out)) {
            try FederationPKI.revoke(caDirectory: caFolder, revocation: try Self.revocation(), outFile: out, force: false)
        }
        #expect(throws: RevocationError.self) { try RevocationFile.signedRevocation(in: "Kiem revocation\nno block here\n") }
    }
}
