import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KiemConfiguration
import KiemNode
import KiemTestSupport
import Testing

/// `accept = "peers"` with three real kiemd processes: uwv-1 accepts only
/// its peers (svb-1), svb-1 accepts every member, rws-1 dials both. uwv-1
/// has svb-1 at an address where nothing listens, so that their one session
/// is the connection svb-1 opened: removing svb-1 must close that.
@Suite("inbound allow-list, with real kiemd processes")
struct InboundAllowListTests {
    @Test("under peers a non-peer member is refused and a removed peer's connection closes; peers add admits at once; under members a non-peer is accepted")
    func acceptPeers() async throws {
        let pki = try TestPKI()
        let root = try TestPKI.temporaryDirectory("kiem-accept")
        let uwvNode = try LoopbackNode("uwv", "uwv-1")
        let svbNode = try LoopbackNode("svb", "svb-1")
        let rwsNode = try LoopbackNode("rws", "rws-1")
        let svbNowhere = try LoopbackNode("svb", "svb-1")
        var uwvConfiguration = try uwvNode.configuration(pki: pki, root: root, peers: [svbNowhere])
        uwvConfiguration.accept = .peers
        let metricsPort = try freeLoopbackPort()
        uwvConfiguration.metrics = .init(host: "127.0.0.1", port: metricsPort)
        let uwv = try uwvNode.start(uwvConfiguration, root: root)
        let svb = try svbNode.start(try svbNode.configuration(pki: pki, root: root, peers: [uwvNode]), root: root)
        let rws = try rwsNode.start(try rwsNode.configuration(pki: pki, root: root, peers: [uwvNode, svbNode]), root: root)
        for node in [uwv, svb, rws] { try await node.waitUntilListening() }
        #expect(uwv.log.contains("kiem.accept=peers"))

        // rws-1 is a member with a valid certificate but not uwv-1's peer.
        try await uwv.waitForLog("TLS peer refused: rws/rws-1", "kiem.tls.refusal=not-a-peer", "kiem.tls.role=server")
        #expect(uwv.logCount("sync session opened", "kiem.peer=rws-1") == 0, "\(uwv.log)")
        let metrics = try await CertificateExpiryProcessTests.metrics(port: metricsPort)
        #expect(metrics.contains(#"kiem_connections_refused_total{peer="rws-1",reason="not-a-peer"}"#), "\(metrics)")
        // svb-1 accepts every member: rws-1 syncs with it though svb-1 does not list it.
        try await svb.waitForLog("sync session opened", "kiem.peer=rws-1")
        // svb-1 is uwv-1's peer: admitted.
        try await uwv.waitForLog("sync session opened", "kiem.peer=svb-1", "kiem.direction=inbound")

        let closedBefore = (uwv.logCount("sync session closed", "kiem.peer=svb-1"), svb.logCount("sync session closed", "kiem.peer=uwv-1"))
        let removed = try await uwv.kiemctlJSON("peers", "remove", "svb-1")
        #expect(removed["accept"] as? String == "peers" && removed["mayStillDialIn"] as? Bool == false, "\(removed)")
        #expect(removed["closedConnections"] as? Int ?? 0 >= 1, "\(removed)\n\(uwv.log)")
        try await uwv.waitForLog("the session with svb-1 to close") { _ in
            uwv.logCount("sync session closed", "kiem.peer=svb-1") > closedBefore.0
        }
        try await svb.waitForLog("the session with uwv-1 to close") { _ in
            svb.logCount("sync session closed", "kiem.peer=uwv-1") > closedBefore.1
        }
        // svb-1 still lists uwv-1 and dials it again: refused now.
        try await uwv.waitForLog("TLS peer refused: svb/svb-1", "kiem.tls.refusal=not-a-peer")
        let status = try await svb.kiemctlJSON("status")
        #expect((status["peers"] as? [[String: Any]])?.first?["state"] as? String != "connected", "\(status)")

        // Added back at runtime, at its real address: dialled and admitted at once, the session reopens.
        let opened = uwv.logCount("sync session opened", "kiem.peer=svb-1")
        let added = try await uwv.kiemctl("peers", "add", "127.0.0.1:\(svbNode.port)", "--node", "svb-1", "--org", "svb")
        #expect(added.status == 0, "\(added)")
        try await uwv.waitForLog("sync session opened after peers add", seconds: 60) { _ in
            uwv.logCount("sync session opened", "kiem.peer=svb-1") > opened
        }

        for node in [uwv, svb, rws] { #expect(try await node.terminate() == 0) }
    }
}
