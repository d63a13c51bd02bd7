import Foundation
import KiemCore
import KiemTestSupport
import KiemTransport
import SwiftASN1
import Testing
import X509

/// `kiemctl pki init-ca` and `kiemctl pki issue`: what they write, with which
/// modes, what the certificates say, and what they refuse.
@Suite("Federation PKI")
struct PKITests {
    private func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as! NSNumber).intValue & 0o777
    }

    private func contents(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    private func values(_ name: DistinguishedName, _ type: ASN1ObjectIdentifier) -> [String] {
        name.flatMap { $0 }.filter { $0.type == type }.compactMap { String($0.value) }
    }

    @Test("init-ca writes ca.key with mode 0600 and a CA certificate")
    func initCA() throws {
        let directory = try TestPKI.temporaryDirectory().appendingPathComponent("ca").path
        let outcome = try FederationPKI.initCA(directory: directory, name: "Kiem test federation", validityDays: 30, force: false, now: Date())
        let keyPath = directory + "/ca.key"
        let certificatePath = directory + "/ca.crt"
        #expect(outcome.files == [keyPath, certificatePath])
        #expect(try permissions(keyPath) == 0o600)
        #expect(try permissions(certificatePath) & 0o600 == 0o600)
        #expect(try permissions(directory) == 0o700)

        let certificate = try #require(try PEMFiles.certificates(at: certificatePath).first)
        #expect(try PEMFiles.privateKey(at: keyPath).publicKey == certificate.publicKey)
        #expect(try certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        #expect(try certificate.extensions.keyUsage?.keyCertSign == true)
        #expect(values(certificate.subject, .RDNAttributeType.commonName) == ["Kiem test federation"])
        #expect(certificate.issuer == certificate.subject)
        #expect(certificate.notValidAfter.timeIntervalSinceNow > 29 * 86_400)
    }

    @Test("init-ca refuses to overwrite without --force, naming the file, and replaces with it")
    func initCAOverwrite() throws {
        let directory = try TestPKI.temporaryDirectory().path
        _ = try FederationPKI.initCA(directory: directory, name: "first", validityDays: 30, force: false, now: Date())
        let keyBefore = try contents(directory + "/ca.key")

        #expect(throws: PKIError.fileExists(path: directory + "/ca.key")) {
            try FederationPKI.initCA(directory: directory, name: "second", validityDays: 30, force: false, now: Date())
        }
        #expect(try contents(directory + "/ca.key") == keyBefore)

        // Only the certificate exists: still refused, naming it.
        try FileManager.default.removeItem(atPath: directory + "/ca.key")
        #expect(throws: PKIError.fileExists(path: directory + "/ca.crt")) {
            try FederationPKI.initCA(directory: directory, name: "second", validityDays: 30, force: false, now: Date())
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/ca.key"))

        _ = try FederationPKI.initCA(directory: directory, name: "second", validityDays: 30, force: true, now: Date())
        #expect(try contents(directory + "/ca.key") != keyBefore)
        #expect(try permissions(directory + "/ca.key") == 0o600)
        let certificate = try #require(try PEMFiles.certificates(at: directory + "/ca.crt").first)
        #expect(values(certificate.subject, .RDNAttributeType.commonName) == ["second"])
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["ca.crt", "ca.key"])
    }

    @Test("issue writes a self-contained node folder whose certificate names O, CN, OIN and the Kiem URN")
    func issue() async throws {
        let root = try TestPKI.temporaryDirectory()
        let caDirectory = root.appendingPathComponent("ca").path
        let nodeDirectory = root.appendingPathComponent("uwv-1").path
        _ = try FederationPKI.initCA(directory: caDirectory, name: "Kiem test federation", validityDays: 3650, force: false, now: Date())
        let oin = try OIN("00000001001234567000")
        let outcome = try FederationPKI.issue(
            caDirectory: caDirectory,
            organisation: try OrganisationID("uwv"),
            node: try NodeID("uwv-1"),
            oin: oin,
            validityDays: 365,
            outDirectory: nodeDirectory,
            force: false,
            now: Date()
        )
        #expect(outcome.files == ["node.key", "node.crt", "ca.crt"].map { nodeDirectory + "/" + $0 })
        #expect(try permissions(nodeDirectory + "/node.key") == 0o600)
        #expect(try contents(nodeDirectory + "/ca.crt") == contents(caDirectory + "/ca.crt"))

        let certificate = try #require(try PEMFiles.certificates(at: nodeDirectory + "/node.crt").first)
        #expect(values(certificate.subject, .RDNAttributeType.organizationName) == ["uwv"])
        #expect(values(certificate.subject, .RDNAttributeType.commonName) == ["uwv-1"])
        #expect(values(certificate.subject, [2, 5, 4, 5]) == ["00000001001234567000"])
        let names = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(Array(names) == [.uniformResourceIdentifier("urn:kiem:org:uwv:node:uwv-1")])
        let usages = try #require(try certificate.extensions.extendedKeyUsage)
        #expect(usages.contains(.serverAuth) && usages.contains(.clientAuth))
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        #expect(certificate.signatureAlgorithm == .ecdsaWithSHA256)
        #expect(certificate.notValidAfter.timeIntervalSinceNow > 364 * 86_400)
        #expect(certificate.notValidBefore < Date())

        // The node folder loads as a TLS identity and passes the policy peers apply.
        let identity = try NodeTLSIdentity.load(directory: nodeDirectory)
        let seen = try await PeerCertificateVerifier(trust: FederationTrust(roots: identity.trustRoots))
            .verify(presentedChain: identity.certificateChain, at: Date()).get()
        #expect(seen.organisation.rawValue == "uwv")
        #expect(seen.node.rawValue == "uwv-1")
        #expect(seen.oin == oin)
    }

    @Test("issue refuses to overwrite without --force and replaces with it")
    func issueOverwrite() throws {
        let root = try TestPKI.temporaryDirectory()
        let caDirectory = root.appendingPathComponent("ca").path
        let nodeDirectory = root.appendingPathComponent("node").path
        _ = try FederationPKI.initCA(directory: caDirectory, name: "CA", validityDays: 30, force: false, now: Date())
        func issue(force: Bool) throws -> FederationPKI.Outcome {
            try FederationPKI.issue(
                caDirectory: caDirectory, organisation: try OrganisationID("svb"), node: try NodeID("svb-1"),
                oin: nil, validityDays: 10, outDirectory: nodeDirectory, force: force, now: Date()
            )
        }
        _ = try issue(force: false)
        let keyBefore = try contents(nodeDirectory + "/node.key")
        #expect(throws: PKIError.fileExists(path: nodeDirectory + "/node.key")) { try issue(force: false) }
        #expect(try contents(nodeDirectory + "/node.key") == keyBefore)

        _ = try issue(force: true)
        #expect(try contents(nodeDirectory + "/node.key") != keyBefore)
        #expect(try permissions(nodeDirectory + "/node.key") == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: nodeDirectory).sorted() == ["ca.crt", "node.crt", "node.key"])
    }

    @Test("issue without --oin derives a deterministic test OIN; node validity never exceeds the CA's")
    func derivedOIN() throws {
        let root = try TestPKI.temporaryDirectory()
        let caDirectory = root.appendingPathComponent("ca").path
        _ = try FederationPKI.initCA(directory: caDirectory, name: "CA", validityDays: 30, force: false, now: Date())
        let outcome = try FederationPKI.issue(
            caDirectory: caDirectory, organisation: try OrganisationID("uwv"), node: try NodeID("uwv-1"),
            oin: nil, validityDays: 365, outDirectory: root.appendingPathComponent("n").path, force: false, now: Date()
        )
        let expected = OIN.testOIN(for: try OrganisationID("uwv"))
        #expect(values(outcome.certificate.subject, [2, 5, 4, 5]) == [expected.rawValue])
        #expect(outcome.certificate.notValidAfter <= outcome.caCertificate.notValidAfter)
    }

    @Test("test OINs are 20 digits, start with 99999, are stable per organisation and differ between organisations")
    func testOINs() throws {
        let uwv = OIN.testOIN(for: try OrganisationID("uwv"))
        let svb = OIN.testOIN(for: try OrganisationID("svb"))
        #expect(uwv.rawValue.count == 20)
        #expect(uwv.rawValue.allSatisfy { $0.isNumber })
        #expect(uwv.isTestOIN)
        #expect(uwv == OIN.testOIN(for: try OrganisationID("uwv")))
        #expect(uwv != svb)
        #expect(throws: OINError.self) { try OIN("123") }
        #expect(throws: OINError.self) { try OIN("0000000100123456700a") }
        #expect(try !OIN("00000001001234567000").isTestOIN)
    }

    @Test("Kiem node URNs round-trip and malformed ones are rejected")
    func urns() throws {
        let urn = try KiemNodeURN(parsing: "urn:kiem:org:uwv:node:uwv-1")
        #expect(urn.organisation.rawValue == "uwv")
        #expect(urn.node.rawValue == "uwv-1")
        #expect(urn.description == "urn:kiem:org:uwv:node:uwv-1")
        #expect(KiemNodeURN.isKiemURN("URN:KIEM:org:x:node:y"))
        #expect(!KiemNodeURN.isKiemURN("https://uwv.nl"))
        for bad in ["urn:kiem:org:uwv", "urn:kiem:org:UWV:node:uwv-1", "urn:kiem:node:uwv-1:org:uwv", "urn:kiem:org:uwv:node:uwv-1:x", "urn:other:org:uwv:node:n1"] {
            #expect(throws: KiemNodeURNError.self) { try KiemNodeURN(parsing: bad) }
        }
    }

    @Test("issue refuses to write node files into the CA folder, and a CA whose key does not match")
    func issueRefusals() throws {
        let root = try TestPKI.temporaryDirectory()
        let caDirectory = root.appendingPathComponent("ca").path
        _ = try FederationPKI.initCA(directory: caDirectory, name: "CA", validityDays: 30, force: false, now: Date())
        #expect(throws: PKIError.outputIsCAFolder(path: caDirectory + "/.")) {
            try FederationPKI.issue(
                caDirectory: caDirectory, organisation: try OrganisationID("uwv"), node: try NodeID("uwv-1"),
                oin: nil, validityDays: 10, outDirectory: caDirectory + "/.", force: false, now: Date()
            )
        }
        // Swap in another CA's key.
        let other = root.appendingPathComponent("other").path
        _ = try FederationPKI.initCA(directory: other, name: "Other", validityDays: 30, force: false, now: Date())
        try FileManager.default.removeItem(atPath: caDirectory + "/ca.key")
        try FileManager.default.copyItem(atPath: other + "/ca.key", toPath: caDirectory + "/ca.key")
        #expect(throws: PKIError.keyDoesNotMatchCertificate(key: caDirectory + "/ca.key", certificate: caDirectory + "/ca.crt")) {
            try FederationPKI.loadCA(directory: caDirectory)
        }
        // An expired CA cannot issue.
        let expiredRoot = root.appendingPathComponent("expired").path
        _ = try FederationPKI.initCA(directory: expiredRoot, name: "Old", validityDays: 1, force: false, now: Date())
        #expect(throws: PKIError.self) {
            try FederationPKI.issue(
                caDirectory: expiredRoot, organisation: try OrganisationID("uwv"), node: try NodeID("uwv-1"),
                oin: nil, validityDays: 10, outDirectory: root.appendingPathComponent("late").path, force: false,
                now: Date().addingTimeInterval(2 * 86_400)
            )
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("late/node.key").path))
        #expect(throws: PKIError.missingFile(path: root.appendingPathComponent("nowhere/ca.key").path)) {
            try FederationPKI.loadCA(directory: root.appendingPathComponent("nowhere").path)
        }
    }

    @Test("a node folder whose key is not its certificate's fails to load, naming both files")
    func mismatchedNodeFolder() throws {
        let directory = try TestPKI.temporaryDirectory()
        try TLSFixtures.pki.mismatchedKeyNode("uwv", "uwv-1").write(to: directory)
        #expect(throws: PKIError.keyDoesNotMatchCertificate(key: directory.path + "/node.key", certificate: directory.path + "/node.crt")) {
            try NodeTLSIdentity.load(directory: directory.path)
        }
    }

    @Test("the kiemctl binary: exit 0 on success, 1 when refusing to overwrite, 2 on a usage error")
    func kiemctlExitCodes() async throws {
        guard let kiemctl = BuiltExecutable("kiemctl") else {
            Issue.record("the kiemctl binary was not built next to the test bundle (run `swift build --build-tests`)")
            return
        }
        let root = try TestPKI.temporaryDirectory()
        let ca = root.appendingPathComponent("ca").path
        let node = root.appendingPathComponent("node").path

        var result = try await kiemctl.run(["pki", "init-ca", "--out", ca, "--name", "Exit code test"])
        #expect(result.status == 0, "\(result.output)")
        result = try await kiemctl.run(["pki", "init-ca", "--out", ca])
        #expect(result.status == 1)
        #expect(result.output.contains("refusing to overwrite \(ca)/ca.key"))

        result = try await kiemctl.run(["pki", "issue", "--ca", ca, "--org", "uwv", "--node", "uwv-1", "--out", node])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("test federations only"))
        result = try await kiemctl.run(["pki", "issue", "--ca", ca, "--org", "uwv", "--node", "uwv-1", "--out", node])
        #expect(result.status == 1)
        #expect(result.output.contains("\(node)/node.key"))
        result = try await kiemctl.run(["pki", "issue", "--ca", ca, "--org", "uwv", "--node", "uwv-1", "--out", node, "--force", "--oin", "00000001001234567000"])
        #expect(result.status == 0, "\(result.output)")

        result = try await kiemctl.run(["pki", "issue", "--ca", ca, "--org", "Not A Slug", "--node", "n1", "--out", node])
        #expect(result.status == 2)
        #expect(result.output.contains("--org"))
        result = try await kiemctl.run(["pki", "issue", "--ca", ca, "--org", "uwv", "--node", "uwv-1", "--oin", "12", "--out", node])
        #expect(result.status == 2)
        result = try await kiemctl.run(["pki", "init-ca"])
        #expect(result.status == 2)
        #expect(result.output.contains("--out"))
        result = try await kiemctl.run(["pki", "init-ca", "--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("0600"))
    }
}
