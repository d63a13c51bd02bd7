import Foundation
import KiemConfiguration
import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemTestSupport
import KiemTransport
import KiemWire
import SwiftProtobuf
import Testing

/// Revocation across five kiemd processes in a ring, given to one of them
/// with `kiemctl revocations add`: every node takes it in and then refuses
/// the revoked node's handshakes. The test measures how long each node took
/// to take it in.
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
                #expect(try await Self.settledHandshake(port: port, tls: thief) == .accepted,
                        "before the revocation, sz-1 is a member like any")
            }
            let file = federation.root.appendingPathComponent("sz-1.revocation").path
            let revocation = Revocation(
                organisation: try OrganisationID("sz"), node: try NodeID("sz-1"), reason: "node key stolen",
                revokedAt: Date(), issuedAt: Date())
            try RevocationFile.text(try revocation.signed(by: federation.pki.ca)).write(toFile: file, atomically: true, encoding: .utf8)

            let start = ContinuousClock.now
            let added = try await kiemctl.run(["revocations", "add", file, "--socket", processes[0].socketPath])
            #expect(added.status == 0, "\(added.output)")
            #expect(added.output.contains("revocation of node sz-1 of sz"), "\(added.output)")
            // Each node logs the revocation as it takes it in.
            let delays = try await withThrowingTaskGroup(of: (Int, Duration).self) { group in
                for (index, process) in processes.enumerated() {
                    group.addTask {
                        try await process.waitForLog("that it took the revocation in", seconds: 60) {
                            $0.contains("revocation taken in") && $0.contains("sz-1")
                        }
                        return (index, ContinuousClock.now - start)
                    }
                }
                var delays: [Int: Duration] = [:]
                for try await (index, delay) in group { delays[index] = delay }
                return delays
            }
            #expect(delays.count == 5)
            for (port, process) in zip(ports, processes) {
                #expect(try await Self.settledHandshake(port: port, tls: thief) == .refused)
                try await process.waitForLog("its refusal of sz-1 as revoked") { $0.contains("kiem.tls.refusal=revoked") }
            }
            let report = names.indices.map { "\(names[$0].1) \(delays[$0]!.formatted(.units(allowed: [.milliseconds])))" }
            print("from kiemctl revocations add to each node taking the revocation in: \(report.joined(separator: ", "))")

            let listed = try await kiemctl.run(["revocations", "list", "--json", "--socket", processes[4].socketPath])
            #expect(listed.status == 0 && listed.output.contains("\"node\" : \"sz-1\""), "\(listed.output)")
        } catch {
            for process in processes { try? await process.kill() }
            throw error
        }
        for process in processes { #expect(try await process.terminate() == 0) }
    }

    /// A handshake that was accepted or refused: one that failed otherwise
    /// (a connection timing out on a loaded machine) is tried again, for at
    /// most 60 seconds.
    static func settledHandshake(
        port: Int, tls: KiemTLSContext, as node: String = "sz-1", of organisation: String = "sz"
    ) async throws -> Handshake {
        try await withDeadline(seconds: 60, "a handshake with port \(port) that is accepted or refused") {
            while true {
                let outcome = await handshake(port: port, tls: tls, as: node, of: organisation)
                guard case .failed = outcome else { return outcome }
                try Task.checkCancellation()
            }
        }
    }

    /// How a handshake went.
    enum Handshake: Equatable {
        case accepted
        /// The node refused the certificate (a TLS alert).
        case refused
        /// Anything else (a connection reset on a busy machine): try again.
        case failed(String)
    }

    /// A handshake with the node at `port` as `node` of `organisation`
    /// (the identity of `tls`).
    static func handshake(port: Int, tls: KiemTLSContext, as node: String = "sz-1", of organisation: String = "sz") async -> Handshake {
        do {
            return try await RPCClient.withConnection(
                to: .tls(host: "127.0.0.1", port: port, context: tls), logger: TestFederation.logger
            ) { client in
                _ = try await client.unary(SyncAPI.handshake, request: Kiem_V1_HandshakeRequest.with {
                    $0.nodeID = node
                    $0.organisation = organisation
                })
                return .accepted
            }
        } catch {
            return "\(error)".contains("rejected-by-peer") ? .refused : .failed("\(error)")
        }
    }
}

/// `[tls] crl`: a kiemd process refuses the certificates its CRL lists, and
/// reads the file again on SIGHUP.
@Suite("CRL of a kiemd process", .serialized, .enabled(if: TestCRL.openssl != nil, "openssl is not on PATH; .ci/run installs it"))
struct CRLProcessTests {
    @Test("kiemd reads [tls] crl at start and on SIGHUP: a certificate the new CRL lists is refused; an unreadable CRL keeps the old one")
    func reloadOnHangup() async throws {
        let federation = try TestFederation("kiem-crl")
        let svb = try federation.pki.node("svb", "svb-1")
        var configuration = try federation.configuration("uwv", "uwv-1")
        configuration.listen = .init(host: "127.0.0.1", port: try freeLoopbackPort())
        let crl = federation.root.appendingPathComponent("ca.crl")
        try await TestCRL.write(crl, pki: federation.pki, revoked: [])
        configuration.tls.crl = crl.path
        let client = try KiemTLSContext(
            role: .client, identity: try svb.tlsIdentity(), applicationProtocols: [RPCServer.applicationProtocol],
            logger: TestFederation.logger)
        let uwv = try KiemdProcess(configuration, folder: federation.root.appendingPathComponent("uwv-1"))
        do {
            try await uwv.waitUntilListening()
            let port = configuration.listen.port
            #expect(try await RevocationProcessTests.settledHandshake(port: port, tls: client, as: "svb-1", of: "svb") == .accepted,
                    "the CRL lists nobody yet")

            try await TestCRL.write(crl, pki: federation.pki, revoked: [svb.certificate])
            uwv.reload()
            try await uwv.waitForLog("the reloaded CRL") { $0.contains("SIGHUP: reloaded the CRL") && $0.contains("1 revoked") }
            #expect(try await RevocationProcessTests.settledHandshake(port: port, tls: client, as: "svb-1", of: "svb") == .refused)
            try await uwv.waitForLog("its refusal of svb-1 as revoked") {
                $0.contains("kiem.tls.refusal=revoked") && $0.contains("svb-1")
            }

            try "not a CRL".write(to: crl, atomically: true, encoding: .utf8)
            uwv.reload()
            try await uwv.waitForLog("that the CRL was not reloaded") { $0.contains("SIGHUP: the CRL") && $0.contains("was not reloaded") }
            #expect(try await RevocationProcessTests.settledHandshake(port: port, tls: client, as: "svb-1", of: "svb") == .refused,
                    "the CRL held stays")
        } catch {
            try? await uwv.kill()
            throw error
        }
        #expect(try await uwv.terminate() == 0)
    }
}
