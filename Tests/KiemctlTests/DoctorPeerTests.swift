import Foundation
import KiemConfiguration
import KiemCore
import KiemNode
import KiemTestSupport
import Testing

@Suite("kiemctl doctor against real peers")
struct DoctorPeerTests {
    @Test("a running peer is ok; nothing listening, or another node at the address, fails and says why; text and JSON")
    func peers() async throws {
        let pki = try TestPKI()
        let root = try TestPKI.temporaryDirectory("kiemctl-doctor-peers")
        let (uwvNode, svbNode) = (try LoopbackNode("uwv", "uwv-1"), try LoopbackNode("svb", "svb-1"))
        let silent = try LoopbackNode("rws", "rws-1")  // nothing listens on its port
        let svb = try svbNode.start(try svbNode.configuration(pki: pki, root: root, peers: [uwvNode]), root: root)
        var configuration = try uwvNode.configuration(pki: pki, root: root, peers: [svbNode, silent])
        // rws-2 is expected where svb-1 answers.
        configuration.peers.append(.init(address: .init(host: "127.0.0.1", port: svbNode.port),
                                         organisation: try OrganisationID("rws"), node: try NodeID("rws-2")))
        let uwv = try uwvNode.start(configuration, root: root)
        let (svbPort, silentPort) = (svbNode.port, silent.port)
        do {
            try await svb.waitUntilListening()
            try await uwv.waitUntilListening()
            try await uwv.waitForLog("sync session opened", "kiem.peer=svb-1")

            let json = try await KiemctlProcess.run(["doctor", "--config", uwv.configurationPath, "--json"])
            #expect(json.status == 1, "two peers fail: \(json)")
            let report = try json.json()
            #expect(report["healthy"] as? Bool == false)
            let checks = try #require(report["checks"] as? [[String: String]], "\(json)")
            let byName = Dictionary(checks.map { ($0["check"] ?? "", $0) }, uniquingKeysWith: { first, _ in first })
            #expect(checks.filter { $0["check"]?.hasPrefix("peer ") == true }.count == 3, "one line per peer: \(checks)")
            #expect(byName["control socket"]?["status"] == "ok")

            let ok = try #require(byName["peer svb-1"])
            #expect(ok["status"] == "ok", "\(ok)")
            #expect(ok["detail"]?.hasPrefix("svb/svb-1 at 127.0.0.1:\(svbPort): TLS and handshake in ") == true, "\(ok)")
            #expect(ok["detail"]?.contains("clock 0.") == true, "same machine, same clock: \(ok)")
            #expect(ok["detail"]?.hasSuffix("; kiemd: connected, 0 ops behind") == true, "\(ok)")

            let silent = try #require(byName["peer rws-1"])
            #expect(silent["status"] == "fail")
            #expect(silent["detail"] == "unreachable at 127.0.0.1:\(silentPort): connection refused", "\(silent)")
            #expect(silent["fix"]?.contains("TCP port \(silentPort)") == true, "\(silent)")

            let impostor = try #require(byName["peer rws-2"])
            #expect(impostor["status"] == "fail")
            // svb/svb-1 and, as TestPKI issues it, its test OIN.
            #expect(impostor["detail"]?.hasPrefix("at 127.0.0.1:\(svbPort) is svb/svb-1 ") == true, "\(impostor)")
            #expect(impostor["detail"]?.hasSuffix(", not rws/rws-2") == true, "\(impostor)")

            let text = try await KiemctlProcess.run(["doctor", "--config", uwv.configurationPath])
            #expect(text.status == 1)
            let lines = text.stdout.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("ok    peer svb-1 ") && $0.contains(" svb/svb-1 at 127.0.0.1:\(svbPort): ") },
                    "\(text)")
            #expect(lines.contains { $0.hasPrefix("fail  peer rws-1 ") && $0.contains(" unreachable at 127.0.0.1:\(silentPort): ") },
                    "\(text)")
        } catch {
            _ = try? await uwv.terminate()
            _ = try? await svb.terminate()
            throw error
        }
        _ = try await uwv.terminate()
        _ = try await svb.terminate()
    }
}
