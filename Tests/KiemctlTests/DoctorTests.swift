import Foundation
@testable import kiemctl
import KiemNode
import KiemProtocol
import KiemTestSupport
import KiemTransport
import SwiftProtobuf
import Testing
import X509

@Suite("kiemctl doctor's checks")
struct DoctorTests {
    /// A node folder with `identity`'s key and certificates in tls/.
    func tlsFolder(_ identity: TestNodeIdentity) throws -> URL {
        let tls = try TestPKI.temporaryDirectory("kiemctl-doctor").appendingPathComponent("tls")
        try identity.write(to: tls)
        return tls
    }

    /// A node identity valid for a year (TestPKI's default, 30 days, is
    /// within doctor's warning window).
    func yearLong() throws -> TestNodeIdentity {
        try TestPKI().node("uwv", "uwv-1", notValidBefore: Date() - 86_400, notValidAfter: Date() + 365 * 86_400)
    }

    @Test("a healthy node's files: configuration, key mode 0600, valid certificates")
    func healthyFiles() throws {
        let tls = try tlsFolder(try yearLong())
        let config = try writeMinimalConfiguration(in: tls.deletingLastPathComponent())
        let (configuration, configured) = DoctorChecks.configuration(file: config)
        #expect(configured.status == .ok)
        let files = try #require(configuration).tls
        #expect(DoctorChecks.keyPermissions(path: files.key) == .ok("key", "\(files.key) has mode 600"))
        #expect(DoctorChecks.certificate("certificate", path: files.certificate).status == .ok)
        #expect(DoctorChecks.certificate("CA certificate", path: files.ca).status == .ok)
        #expect(DoctorChecks.database(path: configuration!.storePath).status == .warn, "no replica before the first start")
    }

    @Test("a configuration that does not load fails and says how to see why")
    func badConfiguration() throws {
        let (configuration, finding) = DoctorChecks.configuration(file: "/nonexistent/kiemd.toml")
        #expect(configuration == nil)
        #expect(finding.status == .fail)
        #expect(finding.fix?.contains("kiemd --check-config") == true)
    }

    @Test("an expired certificate fails; one that expires within 30 days warns")
    func expiry() throws {
        let expired = try tlsFolder(try TestPKI().expiredNode("uwv", "uwv-1")).appendingPathComponent("node.crt").path
        let failed = DoctorChecks.certificate("certificate", path: expired)
        #expect(failed.status == .fail)
        #expect(failed.detail.contains("expired on"), "\(failed)")

        let valid = try tlsFolder(try yearLong()).appendingPathComponent("node.crt").path
        let notAfter = try PEMFiles.certificates(at: valid)[0].notValidAfter
        let soon = DoctorChecks.certificate("certificate", path: valid, now: notAfter.addingTimeInterval(-10 * 86_400))
        #expect(soon.status == .warn)
        #expect(soon.detail.contains("in 10 days") || soon.detail.contains("in 9 days"), "\(soon)")
        #expect(DoctorChecks.certificate("certificate", path: "/nonexistent.crt").status == .fail)
    }

    @Test("a key others may read fails with the chmod that fixes it")
    func keyMode() throws {
        let key = try tlsFolder(try TestPKI().node("uwv", "uwv-1")).appendingPathComponent("node.key").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        #expect(DoctorChecks.keyPermissions(path: key) == .fail(
            "key", "\(key) has mode 644: others may read the node's private key", fix: "chmod 600 \(key)"))
        #expect(DoctorChecks.keyPermissions(path: "/nonexistent.key").status == .fail)
    }

    @Test("an unreachable peer fails with its last error; a connected one is ok; no daemon fails the socket")
    func peers() throws {
        let status = Kiem_V1_StatusResponse.with {
            $0.nodeID = "uwv-1"
            $0.peers = [
                .with { $0.nodeID = "svb-1"; $0.address = "svb:7400"; $0.state = .connected; $0.lagOps = 3 },
                .with { $0.nodeID = "rws-1"; $0.address = "rws:7400"; $0.state = .backoff; $0.lastError = "connection refused" },
            ]
        }
        let findings = DoctorChecks.node(socket: "/run/kiemd.sock", status: .success(StatusReport(status)))
        #expect(findings.map(\.check) == ["control socket", "peer svb-1", "peer rws-1"])
        #expect(findings.map(\.status) == [.ok, .ok, .fail])
        #expect(findings[2].detail == "backoff at rws:7400: connection refused")

        let down = DoctorChecks.node(socket: "/run/kiemd.sock", status: .failure(CancellationError()))
        #expect(down.map(\.status) == [.fail])
        #expect(down[0].fix?.contains("start kiemd") == true)
    }

    @Test("a full disk fails, a low one warns", arguments: [
        (UInt64(50) << 20, UInt64(100) << 30, DoctorFinding.Status.fail),
        (UInt64(5) << 30, UInt64(100) << 30, .warn),
        (UInt64(500) << 20, UInt64(1) << 30, .warn),
        (UInt64(50) << 30, UInt64(100) << 30, .ok),
    ])
    func disk(free: UInt64, total: UInt64, expected: DoctorFinding.Status) {
        #expect(DoctorChecks.diskSpace(path: "/var/lib/kiem", free: free, total: total).status == expected)
    }

    @Test("the data folder's real file system can be examined")
    func realDisk() throws {
        let folder = try TestPKI.temporaryDirectory("kiemctl-doctor").path
        #expect(DoctorChecks.diskSpace(path: folder).detail.hasPrefix("\(folder): "))
        #expect(DoctorChecks.diskSpace(path: "/nonexistent/data").status == .fail)
    }

    @Test("a corrupt database fails PRAGMA quick_check; a missing one warns")
    func corruptDatabase() throws {
        let path = try TestPKI.temporaryDirectory("kiemctl-doctor").appendingPathComponent("kiem.sqlite").path
        try String(repeating: "not a database ", count: 400).write(toFile: path, atomically: true, encoding: .utf8)
        let finding = DoctorChecks.database(path: path)
        #expect(finding.status == .fail)
        #expect(finding.detail.contains("fails PRAGMA quick_check"), "\(finding)")
        #expect(finding.fix?.contains("restore the replica") == true)
    }

    @Test("the report: one line per check, the fix under it; unhealthy when anything failed")
    func report() throws {
        let report = DoctorReport([
            .ok("key", "/etc/kiem/tls/node.key has mode 600"),
            .warn("disk", "/var/lib/kiem: 900 MiB free of 10240 MiB", fix: "free space or grow the file system"),
        ])
        #expect(report.healthy)
        #expect(report.text == """
            ok    key   /etc/kiem/tls/node.key has mode 600
            warn  disk  /var/lib/kiem: 900 MiB free of 10240 MiB
                        → free space or grow the file system
            """)
        #expect(!DoctorReport([.fail("disk", "full", fix: "free space")]).healthy)
        let json = try JSONOutput.line(DoctorReport([.ok("key", "fine")]))
        #expect(json == #"{"checks":[{"check":"key","detail":"fine","status":"ok"}],"healthy":true}"#)
    }
}
