import Foundation
import KiemClient
import KiemConfiguration
import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemStore
import KiemTestSupport
import KiemTransport
import KiemWire
import SwiftProtobuf
import Testing

/// Revocations between real nodes over TLS (WIRE.md section 17): added on
/// one node, a revocation reaches every node through live sessions
/// whichever side dialled, each node checks it against its own CA, ends the
/// revoked node's sessions, refuses its handshakes and rejects its ops
/// written from the revocation's time on.
@Suite("revocations between nodes")
struct RevocationSyncTests {
    @Test("added on one node, a revocation reaches the others; the revoked node is cut off and its later ops are rejected everywhere, its earlier ones kept")
    func revokedNodeIsCutOff() async throws {
        let federation = try TestFederation()
        // rws-1 dials nobody: it learns through the session svb-1 dials.
        let rws = try await federation.open(try federation.configuration("rws", "rws-1"))
        let svb = try await federation.open(try federation.configuration("svb", "svb-1", peers: [TestFederation.peer(rws)]))
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1", peers: [TestFederation.peer(svb)]))
        let thief = try await federation.open(try federation.configuration("sz", "sz-1", peers: [TestFederation.peer(svb)]))
        let honest = [uwv, svb, rws]
        try await running(honest + [thief]) {
            let earlier = try await thief.create(.sample("Voor de diefstal"))
            try await waitForConvergence(honest + [thief])
            let revocation = Revocation(
                organisation: try OrganisationID("sz"), node: try NodeID("sz-1"), reason: "node key stolen",
                revokedAt: Date(), issuedAt: Date())
            let later = try await thief.create(.sample("Na de diefstal"))
            try await waitForConvergence(honest + [thief])
            #expect(try rws.store.initiativeState(later) != nil)

            let signed = try revocation.signed(by: federation.pki.ca)
            let response = try await ControlClient.withConnection(socket: uwv.configuration.controlSocketPath) { control in
                try await control.call(ControlAPI.addRevocation, signed.signed)
            }
            #expect(response.added && response.rejectedOps == 1)
            #expect(response.revocation.node == "sz-1")

            try await waitUntil("every honest node holds the revocation and rejected the later op", nodes: honest) {
                try honest.allSatisfy { node in
                    try node.replicator.revocations.holds(signed.id) && node.store.initiativeState(later) == nil
                }
            }
            try await waitUntil("svb-1 ended the thief's session", nodes: honest) {
                svb.connectedPeers[thief.configuration.node] == nil
            }
            // A fresh certificate for the revoked node id is refused too.
            let reissued = try KiemTLSContext(
                role: .client, identity: try federation.pki.node("sz", "sz-1").tlsIdentity(),
                applicationProtocols: [RPCServer.applicationProtocol], logger: TestFederation.logger)
            for node in honest {
                await #expect(throws: (any Error).self, "\(node.configuration.node) refuses sz-1") {
                    try await RPCClient.withConnection(
                        to: .tls(host: "127.0.0.1", port: node.listenPort!, context: reissued), logger: TestFederation.logger
                    ) { client in
                        _ = try await client.unary(SyncAPI.handshake, request: Kiem_V1_HandshakeRequest())
                    }
                }
                #expect((node.counters.snapshot.refusedConnections[thief.configuration.node] ?? 0) >= 1)
            }
            for node in honest {
                #expect(try node.store.initiativeState(earlier) != nil, "ops written before the revocation stay valid")
            }
            #expect(Set(try honest.map { try $0.digest() }).count == 1)
            #expect(Set(honest.map(\.versionVector)).count == 1, "the rejected op stays in every log")

            let again = try await ControlClient.withConnection(socket: rws.configuration.controlSocketPath) { control in
                try await control.call(ControlAPI.addRevocation, signed.signed)
            }
            #expect(!again.added, "rws-1 holds it already")
            let listed = try await ControlClient.withConnection(socket: rws.configuration.controlSocketPath) { control in
                try await control.call(ControlAPI.listRevocations, Kiem_V1_ListRevocationsRequest())
            }
            #expect(listed.revocations.map(\.id) == [signed.hexID])
            #expect(listed.revocations.first?.revocation.reason == "node key stolen")
        }
    }

    @Test("a revocation signed by another CA is refused by kiemctl's call and by a peer's exchange, and changes nothing")
    func foreignRevocationIsRefused() async throws {
        let federation = try TestFederation()
        let svb = try await federation.open(try federation.configuration("svb", "svb-1"))
        let other = try TestPKI(name: "Some other federation")
        let forged = try Revocation(
            organisation: try OrganisationID("uwv"), node: nil, reason: "forged", revokedAt: Date(), issuedAt: Date()
        ).signed(by: other.ca)
        try await running([svb]) {
            let byKiemctl = await #expect(throws: RPCError.self) {
                try await ControlClient.withConnection(socket: svb.configuration.controlSocketPath) { control in
                    try await control.call(ControlAPI.addRevocation, forged.signed)
                }
            }
            #expect(byKiemctl?.code == .permissionDenied)
            let client = try KiemTLSContext(
                role: .client, identity: try federation.pki.node("uwv", "uwv-1").tlsIdentity(),
                applicationProtocols: [RPCServer.applicationProtocol], logger: TestFederation.logger)
            let refusal = await #expect(throws: RPCError.self) {
                try await RPCClient.withConnection(
                    to: .tls(host: "127.0.0.1", port: svb.listenPort!, context: client), logger: TestFederation.logger
                ) { client in
                    try await client.serverStreaming(
                        SyncAPI.revocations, request: Kiem_V1_RevocationSet.with { $0.revocations = [forged.signed] }
                    ) { responses in
                        for try await _ in responses {}
                    }
                }
            }
            #expect(refusal?.code == .invalidArgument)
            #expect(svb.replicator.revocations.all.isEmpty)
            #expect(try svb.store.revocations().isEmpty)
        }
    }

    @Test("the same revocation arriving from two peers at once is reported once: one arrival stores it, logs it and wakes the exchanges")
    func simultaneousArrivals() async throws {
        let federation = try TestFederation()
        let svb = try await federation.open(try federation.configuration("svb", "svb-1"))
        let book = svb.replicator.revocations
        for round in 0..<20 {
            let signed = try Revocation(
                organisation: try OrganisationID("sz"), node: try NodeID("sz-\(round + 1)"), reason: "test",
                revokedAt: Date(), issuedAt: Date()
            ).signed(by: federation.pki.ca)
            let generation = book.changes.generation
            async let first = book.add(signed.signed, from: "peer a")
            async let second = book.add(signed.signed, from: "peer b")
            let outcomes = [try await first, try await second]
            #expect(outcomes.compactMap { $0 }.count == 1, "round \(round)")
            #expect(book.changes.generation == generation + 1)
            #expect(book.holds(signed.id))
        }
        try await running([svb]) {}
    }
}
