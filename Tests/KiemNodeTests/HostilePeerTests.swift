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
import Logging
import SwiftProtobuf
import Testing

/// A peer with a valid federation certificate that relays other nodes' ops
/// and tampers with them. Every forgery must be refused as a whole batch,
/// counted against that peer, and leave the target's store unchanged.
@Suite("hostile peers")
struct HostilePeerTests {
    /// Pushes `batch` to `target` as node `evil-1` and returns the call's outcome.
    static func push(_ batch: Kiem_V1_OpBatch, to target: KiemNode, from evil: TestNodeIdentity) async throws -> Kiem_V1_PushAck {
        let tls = try KiemTLSContext(
            role: .client, identity: try evil.tlsIdentity(), applicationProtocols: [RPCServer.applicationProtocol],
            logger: TestFederation.logger)
        return try await RPCClient.withConnection(
            to: .tls(host: "127.0.0.1", port: target.listenPort!, context: tls), logger: TestFederation.logger
        ) { client in
            _ = try await client.unary(SyncAPI.handshake, request: Kiem_V1_HandshakeRequest.with {
                $0.nodeID = "evil-1"
                $0.organisation = "evil"
            })
            return try await client.clientStreaming(SyncAPI.push) { writer in try await writer.write(batch) }
        }
    }

    /// The origin's ops as stored, with their proofs, and its certificate.
    static func originBatch(_ origin: KiemNode) throws -> (ops: [MissingOpsCursor.StoredOp], certificate: Kiem_V1_NodeCertificate) {
        var cursor = try origin.store.missingOps(for: VersionVector())
        let ops = try #require(try cursor.nextEncoded())
        return (ops, try #require(origin.replicator.directory.certificates(of: origin.configuration.node).first))
    }

    /// Relays `origin`'s first op (a creation) to `target` as `evil`, which
    /// accepts it; returns the origin's stored ops, the batch that carried
    /// it, and an op with the same id and other content.
    static func relayFirstOp(
        of origin: KiemNode, to target: KiemNode, as evil: TestNodeIdentity
    ) async throws -> (stored: [MissingOpsCursor.StoredOp], batch: Kiem_V1_OpBatch, other: Op) {
        let (stored, certificate) = try originBatch(origin)
        var batch = Kiem_V1_OpBatch()
        batch.certificates = [certificate]
        batch.ops = [WireOps.proto(stored[0], signed: true)]
        #expect(try await push(batch, to: target, from: evil).accepted == 1)
        let original = try Op(canonicalBytes: stored[0].canonical)
        let other = Op(id: original.id, hlc: original.hlc, author: original.author, initiative: original.initiative,
                       mutation: .create(InitiativeDraft(title: "Iets anders")))
        return (stored, batch, other)
    }

    static func expectDataLoss(_ call: () async throws -> Kiem_V1_PushAck) async {
        do {
            _ = try await call()
            Issue.record("the forged batch was accepted")
        } catch let error as RPCError {
            #expect(error.code == .dataLoss, "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("an altered op, an invented op and a forged certificate are each refused with DATA_LOSS; genuine relayed ops are accepted")
    func forgeriesRefused() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        let rws = try await federation.open(try federation.configuration("rws", "rws-1"))
        let evil = try federation.pki.node("evil", "evil-1")
        let evilID = try NodeID("evil-1")
        try await running([uwv, rws]) {
            let id = try await uwv.create(.sample("Fraudedetectie"))
            try await uwv.write(.setText(.title, "Fraudedetectie met MPC"), to: id)
            let (stored, certificate) = try Self.originBatch(uwv)
            #expect(stored.count == 2)

            // 1. The relay rewrites the second op's title and keeps its proof.
            let original = try Op(canonicalBytes: stored[1].canonical)
            let altered = Op(id: original.id, hlc: original.hlc, author: original.author, initiative: original.initiative,
                             mutation: .setText(.title, "Gekaapt", supersedes: []))
            var batch = Kiem_V1_OpBatch()
            batch.certificates = [certificate]
            batch.ops = [WireOps.proto(stored[0], signed: false), {
                var op = WireOps.proto(stored[1], signed: true)
                op.canonical = Data(altered.canonicalBytes)
                return op
            }()]
            await Self.expectDataLoss { try await Self.push(batch, to: rws, from: evil) }
            #expect(rws.versionVector.totalOps == 0, "nothing of the batch was stored")
            #expect(rws.counters.snapshot.integrityFailures[evilID] == 1)

            // 2. The relay invents an op in uwv-1's name, signed with its own key.
            let invented = Op(id: OpID(origin: try NodeID("uwv-1"), seq: 1), hlc: original.hlc,
                              author: try OrganisationID("uwv"), initiative: id, mutation: .setText(.title, "Verzonnen", supersedes: []))
            var forger = OriginChainWriter(origin: try NodeID("uwv-1"), key: try OriginSigningKey(evil.privateKey))
            let forged = try forger.prove(invented)
            batch.ops = [Kiem_V1_Op.with {
                $0.canonical = Data(invented.canonicalBytes)
                $0.chain = Data(forged.proof.chain)
                $0.signature = Data(forged.proof.signature!)
            }]
            await Self.expectDataLoss { try await Self.push(batch, to: rws, from: evil) }

            // 3. The relay offers its own certificate as uwv-1's.
            batch.certificates = [try evil.certificate(as: "uwv-1")]
            await Self.expectDataLoss { try await Self.push(batch, to: rws, from: evil) }
            #expect(rws.versionVector.totalOps == 0)
            #expect(rws.counters.snapshot.integrityFailures[evilID] == 3)

            // The same relay forwarding the genuine ops is fine: they verify
            // against uwv-1's chain and signature, whoever carries them.
            batch.certificates = [certificate]
            batch.ops = stored.enumerated().map { WireOps.proto($1, signed: $0 == stored.count - 1) }
            let ack = try await Self.push(batch, to: rws, from: evil)
            #expect(ack.accepted == 2)
            #expect(try rws.store.initiativeState(id)?.title == "Fraudedetectie met MPC")
            #expect(try rws.digest() == uwv.digest())
        }
    }

    @Test("a handshake that names another node than the certificate is refused")
    func handshakeIdentityMismatch() async throws {
        let federation = try TestFederation()
        let rws = try await federation.open(try federation.configuration("rws", "rws-1"))
        let evil = try federation.pki.node("evil", "evil-1")
        try await running([rws]) {
            let tls = try KiemTLSContext(
                role: .client, identity: try evil.tlsIdentity(), applicationProtocols: [RPCServer.applicationProtocol],
                logger: TestFederation.logger)
            do {
                _ = try await RPCClient.withConnection(
                    to: .tls(host: "127.0.0.1", port: rws.listenPort!, context: tls), logger: TestFederation.logger
                ) { client in
                    try await client.unary(SyncAPI.handshake, request: Kiem_V1_HandshakeRequest.with {
                        $0.nodeID = "uwv-1"
                        $0.organisation = "uwv"
                    })
                }
                Issue.record("the handshake was accepted")
            } catch let error as RPCError {
                #expect(error.code == .permissionDenied)
                #expect(error.message.contains("the certificate evil/evil-1"))
            }
        }
    }

    @Test("an op that differs from the stored one with the same seq: a forgery is refused; the origin's own second signature is equivocation: the proof is kept, reported in Status, the origin's ops from that seq are removed and its later ops no longer accepted")
    func conflictingDuplicates() async throws {
        let federation = try TestFederation()
        let uwvConfiguration = try federation.configuration("uwv", "uwv-1")
        let uwv = try await federation.open(uwvConfiguration)
        let svb = try await federation.open(try federation.configuration("svb", "svb-1"))
        let rws = try await federation.open(try federation.configuration("rws", "rws-1"))
        let evil = try federation.pki.node("evil", "evil-1")
        try await running([uwv, svb, rws]) {
            let id = try await uwv.create(.sample("Robotisering bezwaar"))
            // Then the same seq again, other content.
            var (stored, batch, other) = try await Self.relayFirstOp(of: uwv, to: rws, as: evil)
            let digest = try rws.digest()
            let original = try Op(canonicalBytes: stored[0].canonical)

            // Signed by the relay: a forgery, the relay is blamed.
            var forger = OriginChainWriter(origin: original.origin, key: try OriginSigningKey(evil.privateKey))
            let forged = try forger.prove(other)
            batch.ops = [Kiem_V1_Op.with {
                $0.canonical = Data(other.canonicalBytes)
                $0.chain = Data(forged.proof.chain)
                $0.signature = Data(forged.proof.signature!)
            }]
            await Self.expectDataLoss { try await Self.push(batch, to: rws, from: evil) }
            #expect(rws.counters.snapshot.integrityFailures[try NodeID("evil-1")] == 1)
            #expect(rws.counters.snapshot.equivocations[original.origin] == nil)
            #expect(try rws.store.equivocations().isEmpty)

            // Chained and signed by uwv-1's own key: equivocation.
            var origin = OriginChainWriter(origin: original.origin, key: try OriginSigningKey(try PEMFiles.privateKey(at: uwvConfiguration.tls.key)))
            let second = try origin.prove(other)
            batch.ops[0].signature = Data(second.proof.signature!)
            await Self.expectDataLoss { try await Self.push(batch, to: rws, from: evil) }
            #expect(rws.counters.snapshot.equivocations[original.origin] == 1)
            #expect(rws.counters.snapshot.integrityFailures[try NodeID("evil-1")] == 1, "the relay is not blamed")
            // Quarantined from seq 1: the op it held is removed, so the
            // initiative is gone, as on a node that saw neither side.
            #expect(try rws.digest() != digest)
            #expect(rws.versionVector[original.origin] == 0)
            #expect(try rws.store.initiativeState(id) == nil)

            // The proof is kept: both signed runs, each checkable with uwv-1's key.
            let records = try rws.store.equivocations()
            let record = try #require(records.first)
            #expect(records.count == 1 && record.origin == original.origin && record.seq == 1)
            #expect(record.held.map(\.canonical) == [stored[0].canonical] && record.offered.map(\.canonical) == [other.canonicalBytes])
            #expect(record.previousChain == OpChain.genesis)
            let identity = try #require(rws.replicator.directory.identity(of: original.origin))
            let signed = { (encoded: EncodedOp) in SignedOp(op: encoded.op, proof: encoded.proof!) }
            #expect(Equivocation.detect(signed(record.held[0]), signed(record.offered[0]), identity: identity) != nil)
            let status = try await ControlClient.withConnection(socket: rws.configuration.controlSocketPath) { control in
                try await control.call(ControlAPI.status, Kiem_V1_StatusRequest())
            }
            #expect(status.equivocations.map(\.origin) == ["uwv-1"])
            #expect(status.equivocations.first?.second.first?.canonical == Data(other.canonicalBytes))

            // uwv-1's genuine next op is no longer accepted; svb-1's ops in
            // the same batch are.
            try await uwv.write(.setText(.title, "Robotisering bezwaarschriften"), to: id)
            _ = try await svb.create(.sample("Proactieve AOW"))
            let (uwvOps, _) = try Self.originBatch(uwv)
            let (svbOps, svbCertificate) = try Self.originBatch(svb)
            batch.certificates = [svbCertificate]
            batch.ops = [WireOps.proto(uwvOps[1], signed: true), WireOps.proto(svbOps[0], signed: true)]
            let ack = try await Self.push(batch, to: rws, from: evil)
            #expect(ack.accepted == 1)
            #expect(rws.versionVector[original.origin] == 0 && rws.versionVector[svb.configuration.node] == 1)
        }
    }
}
