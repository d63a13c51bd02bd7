import Foundation
import KiemConfiguration
import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemStore
import KiemTestSupport
import KiemTransport
import KiemWire
import Testing

/// An origin's ops are checked against the certificate it had when it
/// signed them: once that certificate has expired (a node retired, or
/// renewed long ago), its ops still verify and relay, while a TLS
/// handshake with it is refused.
@Suite("ops of an origin whose certificate expired")
struct ExpiredOriginCertificateTests {
    @Test("ops signed by a node whose certificate has expired since are taken from a relay; a handshake with that certificate is refused; another CA's is still refused")
    func expiredCertificateStillVerifiesOps() async throws {
        let federation = try TestFederation()
        let svb = try await federation.open(try federation.configuration("svb", "svb-1"))
        let relay = try federation.pki.node("evil", "evil-1")
        let retired = try federation.pki.expiredNode("uwv", "uwv-9")
        var node = SimulatedNode("uwv-9", organisation: "uwv")
        var writer = OriginChainWriter(origin: try NodeID("uwv-9"), key: try OriginSigningKey(retired.privateKey))
        let created = node.create(.sample("Van een uitgefaseerde node"))
        let edited = node.setText(created.initiative, .summary, "Laatste stand")
        var batch = Kiem_V1_OpBatch()
        batch.ops = try [created, edited].map { WireOps.proto(EncodedOp($0, proof: try writer.prove($0).proof)) }
        batch.certificates = [try retired.certificate(as: "uwv-9")]
        try await running([svb]) {
            let ack = try await HostilePeerTests.push(batch, to: svb, from: relay)
            #expect(ack.accepted == 2)
            #expect(svb.counters.snapshot.integrityFailures.isEmpty)
            #expect(try svb.store.initiativeState(created.initiative)?.text(.summary) == "Laatste stand")

            await #expect(throws: (any Error).self, "the expired certificate cannot open a session") {
                _ = try await HostilePeerTests.push(Kiem_V1_OpBatch(), to: svb, from: retired)
            }

            let foreign = try federation.pki.foreignNode("uwv", "uwv-8")
            var foreignNode = SimulatedNode("uwv-8", organisation: "uwv")
            var foreignWriter = OriginChainWriter(origin: try NodeID("uwv-8"), key: try OriginSigningKey(foreign.privateKey))
            let forged = foreignNode.create(.sample("Van een andere CA"))
            var forgedBatch = Kiem_V1_OpBatch()
            forgedBatch.ops = [WireOps.proto(EncodedOp(forged, proof: try foreignWriter.prove(forged).proof))]
            forgedBatch.certificates = [try foreign.certificate(as: "uwv-8")]
            await #expect(throws: (any Error).self, "a certificate from another CA is refused whatever its dates") {
                _ = try await HostilePeerTests.push(forgedBatch, to: svb, from: relay)
            }
            #expect(try svb.store.initiativeState(forged.initiative) == nil)
        }
    }
}
