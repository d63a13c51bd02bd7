import Foundation
import KiemConfiguration
import KiemCore
@testable import kiemctl
import KiemNode
import KiemProtocol
import KiemTestSupport
import KiemTransport
import KiemWire
import NIOCore
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

    @Test("no daemon fails the socket; an equivocating origin fails")
    func node() throws {
        let status = Kiem_V1_StatusResponse.with {
            $0.nodeID = "uwv-1"
            $0.equivocations = [.with { $0.origin = "rws-1"; $0.seq = 42 }]
        }
        let findings = DoctorChecks.node(socket: "/run/kiemd.sock", status: .success(StatusReport(status)))
        #expect(findings.map(\.check) == ["control socket", "equivocation"])
        #expect(findings.map(\.status) == [.ok, .fail])

        let down = DoctorChecks.node(socket: "/run/kiemd.sock", status: .failure(CancellationError()))
        #expect(down.map(\.status) == [.fail])
        #expect(down[0].fix?.contains("start kiemd") == true)
    }

    static let svb = NodeConfiguration.Peer(
        address: .init(host: "svb.example", port: 7400), organisation: try! OrganisationID("svb"), node: try! NodeID("svb-1"))

    /// A handshake answered by `organisation`/`node`, whose clock is `skew` ms ahead.
    static func answered(_ organisation: String = "svb", _ node: String = "svb-1", skew: Int64) -> PeerProbe.Outcome {
        .answered(.init(identity: "\(organisation)/\(node)", organisation: organisation, node: node,
                        skewMillis: skew, roundTripMillis: 12))
    }

    @Test("a peer's clock: within a minute ok, beyond it warn, beyond 5 minutes fail", arguments: [
        (Int64(800), DoctorFinding.Status.ok, "clock 0.8 s ahead"),
        (-59_000, .ok, "clock 59.0 s behind"),
        (61_000, .warn, "clock 1.0 min ahead"),
        (-299_000, .warn, "clock 5.0 min behind"),
        (301_000, .fail, "clock 5.0 min ahead"),
        (-3_600_000, .fail, "clock 60.0 min behind"),
    ])
    func clockSkew(skew: Int64, expected: DoctorFinding.Status, words: String) {
        let finding = DoctorChecks.peer(Self.svb, Self.answered(skew: skew), link: nil)
        #expect(finding.check == "peer svb-1")
        #expect(finding.status == expected)
        #expect(finding.detail.contains(words), "\(finding)")
        #expect((finding.fix?.contains("NTP") ?? false) == (expected != .ok))
    }

    @Test("a peer that answers is ok, with kiemd's link beside; a link in backoff warns")
    func answeredPeer() {
        #expect(DoctorChecks.peer(Self.svb, Self.answered(skew: 0), link: nil)
            == .ok("peer svb-1", "svb/svb-1 at svb.example:7400: TLS and handshake in 12 ms, clock 0.0 s ahead"))
        let connected = PeerReport(.with { $0.nodeID = "svb-1"; $0.state = .connected; $0.lagOps = 3 })
        #expect(DoctorChecks.peer(Self.svb, Self.answered(skew: 0), link: connected).detail
            .hasSuffix("; kiemd: connected, 3 ops behind"))
        let backoff = PeerReport(.with { $0.nodeID = "svb-1"; $0.state = .backoff; $0.lastError = "connection reset" })
        let finding = DoctorChecks.peer(Self.svb, Self.answered(skew: 0), link: backoff)
        #expect(finding.status == .warn)
        #expect(finding.detail.hasSuffix("but kiemd's link is backoff: connection reset"), "\(finding)")
    }

    @Test("a peer that is someone else, refuses this node, names another node or cannot be reached fails")
    func failedPeer() {
        let impostor = RPCError(code: .unavailable, message: "connection failed",
                                cause: PeerRefusal.unexpectedPeer(expected: "svb/svb-1", presented: "rws/rws-1"))
        #expect(DoctorChecks.peer(Self.svb, .failed(impostor), link: nil) == .fail(
            "peer svb-1", "at svb.example:7400 is rws/rws-1, not svb/svb-1",
            fix: "correct this peer's address, organisation or node in kiemd.toml (or with kiemctl peers)"))

        let refused = DoctorChecks.peer(Self.svb, .failed(PeerRefusal.rejectedByPeer(alert: "certificate unknown")), link: nil)
        #expect(refused.detail == "svb.example:7400 refused this node's certificate (TLS alert: certificate unknown)")

        let renamed = DoctorChecks.peer(Self.svb, .answered(
            .init(identity: "svb/svb-1", organisation: "svb", node: "svb-2", skewMillis: 0, roundTripMillis: 1)), link: nil)
        #expect(renamed.status == .fail)
        #expect(renamed.detail.hasSuffix("the certificate proves svb/svb-1 but the handshake names svb/svb-2"), "\(renamed)")

        let unreachable = RPCError(code: .unavailable, message: "cannot connect: …", cause: ChannelError.connectTimeout(.seconds(10)))
        let finding = DoctorChecks.peer(Self.svb, .failed(unreachable), link: nil)
        #expect(finding.detail == "unreachable at svb.example:7400: no answer within 10 s")
        #expect(finding.fix?.contains("TCP port 7400") == true)
    }

    @Test("the peers probed: the file's, then those added at run time; a peer only kiemd knows keeps its line")
    func peerList() throws {
        let added = PeerReport(.with {
            $0.nodeID = "rws-1"; $0.organisation = "rws"; $0.address = "rws.example:7401"; $0.addedAtRuntime = true
            $0.state = .connected
        })
        let inbound = PeerReport(.with { $0.nodeID = "bd-1"; $0.organisation = "bd"; $0.state = .backoff; $0.lastError = "reset" })
        let probed = DoctorChecks.peersToProbe(configured: [Self.svb], links: [added, inbound])
        #expect(probed.map(\.node.rawValue) == ["svb-1", "rws-1"])
        #expect(probed[1].address == .init(host: "rws.example", port: 7401))

        let findings = DoctorChecks.peers(
            [(probed[0], Self.answered(skew: 0)), (probed[1], Self.answered("rws", "rws-1", skew: 0))], links: [added, inbound])
        #expect(findings.map(\.check) == ["peer svb-1", "peer rws-1", "peer bd-1"])
        #expect(findings.map(\.status) == [.ok, .ok, .fail])
        #expect(findings[1].detail.hasSuffix("; kiemd: connected, 0 ops behind"), "\(findings[1])")
        #expect(findings[2] == .fail("peer bd-1", "backoff (it dialled this node): reset",
                                     fix: "check that it runs and is reachable, and that its certificate is from the federation CA"))
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
