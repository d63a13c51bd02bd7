import Crypto
import _CryptoExtras
import Foundation
import KiemCore
import KiemTestSupport
import KiemTransport
import SwiftASN1
import Testing
import X509

/// The certificate policy as values: chains in, identity or refusal out.
/// No sockets here.
@Suite("Peer certificate verification and identity extraction")
struct TLSIdentityTests {
    let pki: TestPKI

    init() throws {
        pki = try TLSFixtures.pki
    }

    private func verifier(
        roots: [Certificate]? = nil,
        membership: [OIN: OrganisationID] = [:],
        rsaKeySizes: ClosedRange<Int> = FederationTrust.defaultRSAKeySizes
    ) -> PeerCertificateVerifier {
        PeerCertificateVerifier(trust: FederationTrust(
            roots: roots ?? [pki.caCertificate],
            membership: membership,
            rsaKeySizes: rsaKeySizes
        ))
    }

    private func refusal(_ result: Result<PeerIdentity, PeerRefusal>) -> PeerRefusal? {
        if case .failure(let refusal) = result { return refusal }
        return nil
    }

    @Test("a Kiem node certificate yields organisation, node and OIN from its URN and Subject")
    func kiemIdentity() async throws {
        let node = try pki.node("uwv", "uwv-1", oin: TLSFixtures.uwvOIN)
        let identity = try await verifier().verify(presentedChain: try node.chainDER, at: pki.now).get()
        #expect(identity.organisation.rawValue == "uwv")
        #expect(identity.node.rawValue == "uwv-1")
        #expect(identity.oin == TLSFixtures.uwvOIN)
        #expect(identity.source == .kiemURN)
        #expect(identity.certificate == node.certificate)
        #expect(identity.chain == [node.certificate, pki.caCertificate])
        #expect(identity.publicKey == node.privateKey.publicKey)
        #expect(identity.description == "uwv/uwv-1 (OIN \(TLSFixtures.uwvOIN))")
    }

    @Test("an empty chain is refused: no-certificate")
    func emptyChain() async {
        #expect(refusal(await verifier().verify(presentedChain: [[UInt8]](), at: pki.now)) == .noCertificate)
    }

    @Test("a certificate from another CA is refused as untrusted, even when also expired")
    func foreignCA() async throws {
        let foreign = try pki.foreignNode("uwv", "uwv-1")
        let result = await verifier().verify(presentedChain: try foreign.chainDER, at: pki.now)
        guard case .untrustedChain(let subject, let issuer)? = refusal(result) else {
            Issue.record("expected untrustedChain, got \(result)")
            return
        }
        #expect(subject.contains("uwv-1"))
        #expect(issuer.contains("Some other federation"))
        // Long after everything expired, the foreign chain is still "untrusted", not "expired".
        let later = await verifier().verify(presentedChain: try foreign.chainDER, at: pki.now.addingTimeInterval(3 * 365 * 86_400))
        #expect(refusal(later)?.code == "untrusted-chain")
    }

    @Test("expired and not-yet-valid certificates are refused with their dates")
    func validityWindow() async throws {
        let expired = try pki.expiredNode("uwv", "uwv-1")
        guard case .expired(let subject, let notValidAfter)? = refusal(await verifier().verify(presentedChain: try expired.chainDER, at: pki.now)) else {
            Issue.record("expected expired")
            return
        }
        #expect(subject.contains("uwv-1"))
        #expect(notValidAfter == expired.certificate.notValidAfter)

        let early = try pki.notYetValidNode("uwv", "uwv-1")
        #expect(refusal(await verifier().verify(presentedChain: try early.chainDER, at: pki.now))?.code == "not-yet-valid")

        // The same valid certificate, judged at a time after it lapsed.
        let valid = try pki.node("uwv", "uwv-1")
        #expect(refusal(await verifier().verify(presentedChain: try valid.chainDER, at: pki.now.addingTimeInterval(60 * 86_400)))?.code == "expired")
    }

    @Test("a PKIoverheid-style RSA leaf is mapped through the membership list; node from CN")
    func pkioverheidMapped() async throws {
        let pkio = try TLSFixtures.pkioverheid
        let leaf = try pkio.leaf(oin: TLSFixtures.uwvOIN.rawValue, commonName: "Kiem.UWV.nl", organisationName: "UWV")
        let uwv = try OrganisationID("uwv")
        let identity = try await verifier(roots: [pkio.root], membership: [TLSFixtures.uwvOIN: uwv])
            .verify(presentedChain: try leaf.chainDER, at: pkio.now).get()
        #expect(identity.organisation == uwv)
        #expect(identity.node.rawValue == "kiem-uwv-nl")
        #expect(identity.oin == TLSFixtures.uwvOIN)
        #expect(identity.source == .membershipList)
        #expect(identity.chain.count == 3)
        #expect(_RSA.Signing.PublicKey(identity.publicKey)?.keySizeInBits == 2048)
    }

    @Test("an OIN not in the membership list is refused: unknown-oin")
    func unknownOIN() async throws {
        let pkio = try TLSFixtures.pkioverheid
        let leaf = try pkio.leaf(oin: TLSFixtures.unknownOIN.rawValue, commonName: "kiem.example.nl", organisationName: "Example")
        let result = await verifier(roots: [pkio.root], membership: [TLSFixtures.uwvOIN: try OrganisationID("uwv")])
            .verify(presentedChain: try leaf.chainDER, at: pkio.now)
        #expect(refusal(result) == .unknownOIN(TLSFixtures.unknownOIN))
    }

    @Test("RSA keys outside the accepted range are refused with their size")
    func rsaKeySizes() async throws {
        let weak = try pki.rsaNode("uwv", "uwv-1", bits: 1024)
        #expect(refusal(await verifier().verify(presentedChain: try weak.chainDER, at: pki.now))
            == .rsaKeySizeOutOfRange(bits: 1024, allowed: 2048...4096))

        // The upper bound, with a narrowed range rather than an 8192-bit key.
        let normal = try pki.rsaNode("uwv", "uwv-1", bits: 2048)
        #expect(try await verifier().verify(presentedChain: try normal.chainDER, at: pki.now).get().node.rawValue == "uwv-1")
        #expect(refusal(await verifier(rsaKeySizes: 1024...1536).verify(presentedChain: try normal.chainDER, at: pki.now))
            == .rsaKeySizeOutOfRange(bits: 2048, allowed: 1024...1536))
    }

    @Test("a certificate with neither a Kiem URN nor an OIN is refused: missing-identity")
    func missingIdentity() async throws {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: pki.now.addingTimeInterval(-3600),
            notValidAfter: pki.now.addingTimeInterval(3600),
            issuer: pki.caCertificate.subject,
            subject: try DistinguishedName { CommonName("anonymous") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { Critical(BasicConstraints.notCertificateAuthority) },
            issuerPrivateKey: pki.ca.privateKey
        )
        let result = await verifier().verify(presentedChain: [certificate], at: pki.now)
        #expect(refusal(result)?.code == "missing-identity")
    }

    @Test("a URN naming one organisation and an OIN mapped to another is refused: conflicting-identity")
    func conflictingIdentity() async throws {
        let node = try pki.node("uwv", "uwv-1", oin: TLSFixtures.svbOIN)
        let result = await verifier(membership: [TLSFixtures.svbOIN: try OrganisationID("svb")])
            .verify(presentedChain: try node.chainDER, at: pki.now)
        #expect(refusal(result)?.code == "conflicting-identity")
        // The same OIN mapped to the URN's own organisation is fine.
        let agreeing = await verifier(membership: [TLSFixtures.svbOIN: try OrganisationID("uwv")])
            .verify(presentedChain: try node.chainDER, at: pki.now)
        #expect(try agreeing.get().organisation.rawValue == "uwv")
    }

    @Test("garbage instead of a certificate is refused: malformed-certificate")
    func malformed() async {
        let result = await verifier().verify(presentedChain: [[0x30, 0x03, 0x02, 0x01, 0x01]], at: pki.now)
        #expect(refusal(result)?.code == "malformed-certificate")
    }

    @Test("node ids from PKIoverheid common names", arguments: [
        ("kiem.uwv.nl", "kiem-uwv-nl"),
        ("Kiem.UWV.nl", "kiem-uwv-nl"),
        ("uwv-1", "uwv-1"),
        ("  node__2 ", "node-2"),
        ("1.example.nl", nil),
        ("", nil),
        ("ü", nil),
    ] as [(String, String?)])
    func nodeFromCommonName(commonName: String, expected: String?) {
        #expect(PeerIdentity.nodeID(fromCommonName: commonName)?.rawValue == expected)
    }

    @Test("handshake errors are classified by BoringSSL's reason strings")
    func classification() {
        struct FakeTLSError: Error, CustomStringConvertible { let description: String }
        func classify(_ text: String) -> PeerRefusal {
            PeerRefusal.classify(handshakeError: FakeTLSError(description: text))
        }
        #expect(classify("handshakeFailed(sslError([Error: 268435644 error:100000bc:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE at x.cc:1]))") == .noCertificate)
        #expect(classify("handshakeFailed(sslError([Error: 1 error:1000007b:SSL routines:OPENSSL_internal:BAD_SIGNATURE at x.cc:2]))") == .keyMismatch)
        #expect(classify("sslError([Error: 1 error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE at x:1])") == .rejectedByPeer(alert: "bad certificate"))
        #expect(classify("sslError([Error: 1 error:1000045c:SSL routines:OPENSSL_internal:TLSV1_CERTIFICATE_REQUIRED at x:1])") == .rejectedByPeer(alert: "certificate required"))
        #expect(classify("sslError([Error: 1 error:1000041b:SSL routines:OPENSSL_internal:TLSV1_ALERT_DECRYPT_ERROR at x:1])") == .rejectedByPeer(alert: "decrypt error"))
        #expect(classify("handshakeFailed(sslError([Error: 1 error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL at x:1]))").code == "handshake-failed")
        #expect(PeerRefusal.classify(handshakeError: PeerRefusal.expired(subject: "x", notValidAfter: Date(timeIntervalSince1970: 0))).code == "expired")
    }

    @Test("every refusal has its own code and a sentence")
    func refusalCodes() throws {
        let all: [PeerRefusal] = [
            .noCertificate,
            .untrustedChain(subject: "CN=a", issuer: "CN=b"),
            .invalidChain(reason: "r"),
            .expired(subject: "CN=a", notValidAfter: Date(timeIntervalSince1970: 0)),
            .notYetValid(subject: "CN=a", notValidBefore: Date(timeIntervalSince1970: 0)),
            .keyMismatch,
            .unknownOIN(TLSFixtures.unknownOIN),
            .rsaKeySizeOutOfRange(bits: 1024, allowed: 2048...4096),
            .unsupportedKey(algorithm: "Ed25519"),
            .missingIdentity(reason: "r"),
            .conflictingIdentity(reason: "r"),
            .malformedCertificate(reason: "r"),
            .unexpectedPeer(expected: "a", presented: "b"),
            .notAPeer(presented: "rws/rws-1"),
            .rejectedByPeer(alert: "bad certificate"),
            .handshakeFailed(reason: "r"),
        ]
        #expect(Set(all.map(\.code)).count == all.count)
        for refusal in all {
            #expect(refusal.sentence.hasSuffix("."))
            #expect(refusal.description.hasPrefix(refusal.code + ": "))
        }
        #expect(PeerRefusal.expired(subject: "CN=a", notValidAfter: Date(timeIntervalSince1970: 0)).sentence.contains("1970-01-01T00:00:00Z"))
    }

    @Test("a node identity refuses a key that is not its certificate's; self-check passes for a good node")
    func localKeyPair() async throws {
        let mismatched = try pki.mismatchedKeyNode("uwv", "uwv-1")
        #expect(throws: PKIError.self) { try mismatched.tlsIdentity() }

        let good = try pki.node("uwv", "uwv-1").tlsIdentity()
        #expect(await good.selfCheck(trust: FederationTrust(roots: good.trustRoots), at: pki.now) == nil)
        let expired = try pki.expiredNode("uwv", "uwv-1").tlsIdentity()
        #expect(await expired.selfCheck(trust: FederationTrust(roots: expired.trustRoots), at: pki.now)?.code == "expired")
    }
}
