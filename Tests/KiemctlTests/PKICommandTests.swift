import Foundation
import KiemTestSupport
import KiemTransport
import Testing
import X509

/// The `kiemctl pki` commands of deploy/PKI.md's runbook, run as an operator
/// runs them: create the CA, issue, renew, rotate the key.
@Suite("kiemctl pki, as the runbook runs it")
struct PKICommandTests {
    @Test("init-ca, issue, renew (same key), renew --new-key (new key, old one gone), and the refusals an operator meets")
    func issueRenewRotate() async throws {
        let folder = try TestPKI.temporaryDirectory("kiemctl-pki")
        let ca = folder.appendingPathComponent("ca").path
        let node = folder.appendingPathComponent("uwv-1")
        #expect(try await KiemctlProcess.run(["pki", "init-ca", "--out", ca, "--name", "Kiem federatie"]).status == 0)
        let issued = try await KiemctlProcess.run(
            ["pki", "issue", "--ca", ca, "--org", "uwv", "--node", "uwv-1", "--days", "30", "--out", node.path])
        #expect(issued.status == 0, "\(issued)")
        let first = try #require(try PEMFiles.certificates(at: node.appendingPathComponent("node.crt").path).first)
        let firstKey = try Data(contentsOf: node.appendingPathComponent("node.key"))

        let renewed = try await KiemctlProcess.run(["pki", "renew", "--ca", ca, "--node-dir", node.path, "--days", "365"])
        #expect(renewed.status == 0, "\(renewed)")
        #expect(renewed.stdout.contains("Renewed \(node.appendingPathComponent("node.crt").path)"), "\(renewed)")
        let second = try #require(try PEMFiles.certificates(at: node.appendingPathComponent("node.crt").path).first)
        #expect(second.publicKey == first.publicKey && second.subject == first.subject)
        #expect(second.notValidAfter > first.notValidAfter)
        #expect(try Data(contentsOf: node.appendingPathComponent("node.key")) == firstKey)

        let rotated = try await KiemctlProcess.run(["pki", "renew", "--ca", ca, "--node-dir", node.path, "--new-key"])
        #expect(rotated.status == 0 && rotated.stdout.contains("new key"), "\(rotated)")
        let third = try #require(try PEMFiles.certificates(at: node.appendingPathComponent("node.crt").path).first)
        #expect(third.publicKey != first.publicKey && third.subject == first.subject)
        let key = try PEMFiles.privateKey(at: node.appendingPathComponent("node.key").path)
        #expect(key.publicKey == third.publicKey)
        let mode = try FileManager.default.attributesOfItem(atPath: node.appendingPathComponent("node.key").path)[.posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o600)

        let noNode = try await KiemctlProcess.run(["pki", "renew", "--ca", ca, "--node-dir", folder.appendingPathComponent("none").path])
        #expect(noNode.status == 1 && noNode.stderr.contains("node.key"), "\(noNode)")
        let badDays = try await KiemctlProcess.run(["pki", "renew", "--ca", ca, "--node-dir", node.path, "--days", "0"])
        #expect(badDays.status == 2, "\(badDays)")
    }
}
