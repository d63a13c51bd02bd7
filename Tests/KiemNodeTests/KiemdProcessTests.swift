import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KiemConfiguration
import KiemCore
@testable import KiemNode
import KiemStore
import KiemTestSupport
import KiemTransport
import Testing

/// The `kiemd` executable as an operator runs it: configuration checks, a
/// real daemon process syncing with a node over loopback TLS, SIGTERM and
/// `kill -9`.
@Suite("kiemd processes", .serialized)
struct KiemdProcessTests {
    @Test("--check-config: 0 and a summary for a valid file, 2 naming the key for a bad one")
    func checkConfig() async throws {
        let kiemd = try #require(BuiltExecutable("kiemd"), "the kiemd binary was not built (swift build --build-tests)")
        let folder = try TestPKI.temporaryDirectory("kiemd-config")
        let file = folder.appendingPathComponent("kiemd.toml").path
        try NodeConfigurationTests.valid.write(toFile: file, atomically: true, encoding: .utf8)
        var result = try await kiemd.run(["--check-config", "--config", file])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("configuration is valid"))
        #expect(result.output.contains("svb-1 (svb) at svb.example:7400"))

        try NodeConfigurationTests.valid.replacingOccurrences(of: "node = \"rws-1\"", with: "node = \"RWS 1\"")
            .write(toFile: file, atomically: true, encoding: .utf8)
        result = try await kiemd.run(["--check-config", "--config", file])
        #expect(result.status == 2)
        #expect(result.output.contains("peers[2].node: \"RWS 1\" is not valid"), "\(result.output)")

        result = try await kiemd.run(["--check-config", "--config", folder.appendingPathComponent("missing.toml").path])
        #expect(result.status == 2)
        #expect(result.output.contains("missing.toml: cannot be read"), "\(result.output)")

        try NodeConfigurationTests.valid.write(toFile: file, atomically: true, encoding: .utf8)
        result = try await kiemd.run(["--config", file, "--listen", "nowhere"])
        #expect(result.status == 2)
        #expect(result.output.contains("--listen"), "\(result.output)")
    }

    @Test("a kiemd process catches up from a node, takes live ops, and stops cleanly on SIGTERM")
    func processSyncsAndStops() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        var svbConfiguration = try federation.configuration("svb", "svb-1", peers: [try TestFederation.peer(uwv)])
        svbConfiguration.listen = .init(host: "127.0.0.1", port: try freeLoopbackPort())
        let metricsPort = try freeLoopbackPort()
        svbConfiguration.metrics = .init(host: "127.0.0.1", port: metricsPort)
        let probe = try Probe(federation)
        try await running([uwv]) {
            let id = try await uwv.create(.sample("Chatbot voor werkzoekenden"))
            let svb = try KiemdProcess(svbConfiguration, folder: federation.root.appendingPathComponent("svb-1"))
            let port = svbConfiguration.listen.port
            try await svb.waitUntilListening()
            _ = try await probe.handshake(port: port)
            for index in 1...50 { try await uwv.write(.setText(.summary, "stand \(index)"), to: id) }
            let target = uwv.versionVector
            _ = try await probe.watch(port: port) { $0 == target }
            let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(metricsPort)/metrics")!)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: body, as: UTF8.self).contains("kiem_ops 51"))
            #expect(try await svb.terminate() == 0, "kiemd exits 0 on SIGTERM; log:\n\(svb.log)")
            #expect(svb.log.contains("node stopped"))
            let store = try KiemStore.open(path: svbConfiguration.storePath)
            #expect(try store.versionVector() == target)
            #expect(try store.digest() == uwv.digest())
            try store.close()
        }
    }

    @Test("kill -9 in the middle of a bulk catch-up: after a restart nothing stored is lost and the replicas converge")
    func killDuringCatchUp() async throws {
        let federation = try TestFederation()
        let uwvConfiguration = try federation.configuration("uwv", "uwv-1")
        // uwv-1 has a long signed history already.
        try FileManager.default.createDirectory(atPath: uwvConfiguration.dataDirectory, withIntermediateDirectories: true)
        let seeded = try KiemStore.open(path: uwvConfiguration.storePath)
        let key = try OriginSigningKey(try PEMFiles.privateKey(at: uwvConfiguration.tls.key))
        try SignedHistory.seed(seeded, with: try SignedHistory.make(
            node: uwvConfiguration.node, organisation: uwvConfiguration.organisation, key: key, initiatives: 4_000))
        try seeded.close()
        let uwv = try await federation.open(uwvConfiguration)
        let target = uwv.versionVector
        #expect(target.totalOps == 20_000)

        var svbConfiguration = try federation.configuration("svb", "svb-1", peers: [try TestFederation.peer(uwv)])
        svbConfiguration.listen = .init(host: "127.0.0.1", port: try freeLoopbackPort())
        let port = svbConfiguration.listen.port
        let folder = federation.root.appendingPathComponent("svb-1")
        let probe = try Probe(federation)
        try await running([uwv]) {
            let first = try KiemdProcess(svbConfiguration, folder: folder)
            try await first.waitUntilListening()
            let seen = try await probe.watch(port: port) { $0.totalOps >= 3_000 }
            try await first.kill()
            #expect(seen.totalOps < target.totalOps, "the kill came before the catch-up ended")

            let second = try KiemdProcess(svbConfiguration, folder: folder)
            try await second.waitUntilListening()
            let afterRestart = try await probe.handshake(port: port)
            #expect(afterRestart.totalOps >= seen.totalOps, "ops stored before the kill survive it: \(afterRestart) vs \(seen)")
            _ = try await probe.watch(port: port) { $0 == target }
            #expect(try await second.terminate() == 0, "log:\n\(second.log)")
            let store = try KiemStore.open(path: svbConfiguration.storePath)
            #expect(try store.versionVector() == target)
            #expect(try store.digest() == uwv.digest())
            try store.close()
        }
    }
}
