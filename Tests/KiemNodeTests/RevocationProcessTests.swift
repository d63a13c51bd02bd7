import Foundation
import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemTestSupport
import KiemTransport
import SwiftProtobuf
import Testing

/// Revocation across five kiemd processes in a ring, given to one of them
/// with `kiemctl revocations add`: every node then refuses the revoked
/// node's handshakes. The test measures how long the last one took.
@Suite("revocation across kiemd processes", .serialized)
struct RevocationProcessTests {
    @Test("kiemctl revocations add on one of five kiemd processes: all five refuse the revoked node's handshakes")
    func fiveNodes() async throws {
        let kiemctl = try #require(BuiltExecutable("kiemctl"), "the kiemctl binary was not built (swift build --build-tests)")
        let federation = try TestFederation("kiem-revocation")
        let names = [("uwv", "uwv-1"), ("svb", "svb-1"), ("rws", "rws-1"), ("duo", "duo-1"), ("cjib", "cjib-1")]
        let configurations = try federation.ring(names.map { (organisation: $0.0, node: $0.1) })
        let thief = try KiemTLSContext(
            role: .client, identity: try federation.pki.node("sz", "sz-1").tlsIdentity(),
            applicationProtocols: [RPCServer.applicationProtocol], logger: TestFederation.logger)
        let processes = try configurations.map { try KiemdProcess($0, folder: federation.root.appendingPathComponent($0.node.rawValue)) }
        do {
            for process in processes { try await process.waitUntilListening() }
            let ports = configurations.map(\.listen.port)
            for port in ports {
                #expect(try await Self.handshake(port: port, tls: thief), "before the revocation, sz-1 is a member like any")
            }
            let file = federation.root.appendingPathComponent("sz-1.revocation").path
            let revocation = Revocation(
                organisation: try OrganisationID("sz"), node: try NodeID("sz-1"), reason: "node key stolen",
                revokedAt: Date(), issuedAt: Date())
            try RevocationFile.text(try revocation.signed(by: federation.pki.ca)).write(toFile: file, atomically: true, encoding: .utf8)

            let added = try await kiemctl.run(["revocations", "add", file, "--socket", processes[0].socketPath])
            let start = ContinuousClock.now
            #expect(added.status == 0, "\(added.output)")
            #expect(added.output.contains("revocation of node sz-1 of sz"), "\(added.output)")
            let delays = try await withThrowingTaskGroup(of: (Int, Duration).self) { group in
                for (index, port) in ports.enumerated() {
                    group.addTask {
                        try await withDeadline(seconds: 60, "\(names[index].1) refusing sz-1") {
                            // Handshake after handshake until one is refused.
                            while try await Self.handshake(port: port, tls: thief) {}
                        }
                        return (index, ContinuousClock.now - start)
                    }
                }
                var delays: [Int: Duration] = [:]
                for try await (index, delay) in group { delays[index] = delay }
                return delays
            }
            #expect(delays.count == 5)
            for process in processes {
                try await process.waitForLog("its refusal of sz-1 as revoked") { $0.contains("kiem.tls.refusal=revoked") }
            }
            let report = names.indices.map { "\(names[$0].1) \(delays[$0]!.formatted(.units(allowed: [.milliseconds])))" }
            print("revocation reached every node; refusing after: \(report.joined(separator: ", "))")

            let listed = try await kiemctl.run(["revocations", "list", "--json", "--socket", processes[4].socketPath])
            #expect(listed.status == 0 && listed.output.contains("\"node\" : \"sz-1\""), "\(listed.output)")
        } catch {
            for process in processes { try? await process.kill() }
            throw error
        }
        for process in processes { #expect(try await process.terminate() == 0) }
    }

    /// Whether a handshake as `tls`'s node with the node at `port` succeeds
    /// (false when it fails: the test then reads in the node's log that it
    /// refused it as revoked).
    static func handshake(port: Int, tls: KiemTLSContext) async throws -> Bool {
        do {
            return try await RPCClient.withConnection(
                to: .tls(host: "127.0.0.1", port: port, context: tls), logger: TestFederation.logger
            ) { client in
                _ = try await client.unary(SyncAPI.handshake, request: Kiem_V1_HandshakeRequest.with {
                    $0.nodeID = "sz-1"
                    $0.organisation = "sz"
                })
                return true
            }
        } catch {
            return false
        }
    }
}
