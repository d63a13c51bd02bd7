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

/// The held-op quota between real nodes over TLS: an origin's ops that wait
/// for initiatives that never come fill its quota and no more, and an honest
/// catch-up that holds more than the quota for a while still converges
/// (WIRE.md section 13, "Held ops").
@Suite("held-op quota")
struct HeldOpQuotaSyncTests {
    /// Ops of two origins that are not running: uwv-9 creates initiatives,
    /// sz-9 adopts initiatives, each op signed; with their certificates.
    struct Origins {
        let uwv: NodeID
        let sz: NodeID
        let certificates: [Kiem_V1_NodeCertificate]
        private var uwvNode = SimulatedNode("uwv-9", organisation: "uwv")
        private var szNode = SimulatedNode("sz-9", organisation: "sz", wallMillis: 1_764_400_100_000)
        private var uwvWriter: OriginChainWriter
        private var szWriter: OriginChainWriter

        init(pki: TestPKI) throws {
            uwv = try NodeID("uwv-9")
            sz = try NodeID("sz-9")
            let uwvIdentity = try pki.node("uwv", "uwv-9")
            let szIdentity = try pki.node("sz", "sz-9")
            uwvWriter = OriginChainWriter(origin: uwv, key: try OriginSigningKey(uwvIdentity.privateKey))
            szWriter = OriginChainWriter(origin: sz, key: try OriginSigningKey(szIdentity.privateKey))
            certificates = [try uwvIdentity.certificate(as: "uwv-9"), try szIdentity.certificate(as: "sz-9")]
        }

        /// uwv-9 creates `count` initiatives, each with about 2 KB of text.
        mutating func creations(_ count: Int) throws -> [EncodedOp] {
            try (0..<count).map { index in
                let op = uwvNode.create(InitiativeDraft(
                    title: "Initiatief \(index)", description: String(repeating: "Beschrijving van het werk. ", count: 80)))
                return EncodedOp(op, proof: try uwvWriter.prove(op).proof)
            }
        }

        /// sz-9 adopts each of `initiatives`.
        mutating func adoptions(of initiatives: [InitiativeID]) throws -> [EncodedOp] {
            try initiatives.map { initiative in
                let op = szNode.adopt(initiative, .exploring)
                return EncodedOp(op, proof: try szWriter.prove(op).proof)
            }
        }

        func batch(_ ops: [EncodedOp]) -> Kiem_V1_OpBatch {
            Kiem_V1_OpBatch.with {
                $0.ops = ops.map(WireOps.proto)
                $0.certificates = certificates
            }
        }
    }

    /// svb-1, keeping at most 10 held ops per origin.
    static func nodeWithQuotaOf10(in federation: TestFederation, peers: [NodeConfiguration.Peer] = []) async throws -> KiemNode {
        var configuration = try federation.configuration("svb", "svb-1", peers: peers)
        configuration.limits.heldOpsPerOrigin = 10
        return try await federation.open(configuration)
    }

    @Test("ops waiting for initiatives that never come fill the origin's quota and no more; its later ops are deferred, counted and shown in status, and other origins' ops are still taken")
    func hostileOriginStopsAtItsQuota() async throws {
        let federation = try TestFederation()
        let svb = try await Self.nodeWithQuotaOf10(in: federation)
        let relay = try federation.pki.node("evil", "evil-1")
        var origins = try Origins(pki: federation.pki)
        // Initiatives nobody ever creates here: uwv-9's creations are never sent.
        let missing = try origins.creations(35).map(\.op.initiative)
        let adoptions = try origins.adoptions(of: missing)
        try await running([svb]) {
            let first = try await HostilePeerTests.push(origins.batch(Array(adoptions.prefix(30))), to: svb, from: relay)
            #expect(first.held == 10)
            #expect(first.deferred == 20)
            #expect(first.duplicates == 0)
            #expect(svb.versionVector[origins.sz] == 10)
            #expect(svb.replicator.oplog.deferredOrigins == [origins.sz: 10])

            let more = try await HostilePeerTests.push(origins.batch(Array(adoptions[30...])), to: svb, from: relay)
            #expect(more.deferred == 5, "the origin's later ops are dropped while it is at its quota")
            #expect(more.held == 0 && more.accepted == 0)
            #expect(try svb.store.heldOpCount(of: origins.sz) == 10)
            #expect(svb.counters.snapshot.deferredByQuota[origins.sz] == 25)
            #expect(svb.counters.snapshot.integrityFailures.isEmpty, "nobody is blamed")

            var other = SimulatedNode("rws-9", organisation: "rws")
            let rwsIdentity = try federation.pki.node("rws", "rws-9")
            var writer = OriginChainWriter(origin: try NodeID("rws-9"), key: try OriginSigningKey(rwsIdentity.privateKey))
            let created = other.create(InitiativeDraft.sample("Dijkversterking"))
            var batch = Kiem_V1_OpBatch()
            batch.ops = [WireOps.proto(EncodedOp(created, proof: try writer.prove(created).proof))]
            batch.certificates = [try rwsIdentity.certificate(as: "rws-9")]
            #expect(try await HostilePeerTests.push(batch, to: svb, from: relay).accepted == 1)

            let status = try await ControlClient.withConnection(socket: svb.configuration.controlSocketPath) { control in
                try await control.call(ControlAPI.status, Kiem_V1_StatusRequest())
            }
            #expect(status.deferredOrigins.map(\.origin) == ["sz-9"])
            #expect(status.deferredOrigins.first?.seq == 10)
            #expect(status.deferredOrigins.first?.held == 10)
            #expect(status.deferredOrigins.first?.quota == 10)
        }
    }

    @Test("a push stream that carried deferred ops ends with ABORTED once their origin is down to half its quota; pushing them again delivers them")
    func resumptionEndsTheStream() async throws {
        let federation = try TestFederation()
        let svb = try await Self.nodeWithQuotaOf10(in: federation)
        let relay = try federation.pki.node("evil", "evil-1")
        var origins = try Origins(pki: federation.pki)
        let creations = try origins.creations(30)
        let adoptions = try origins.adoptions(of: creations.map(\.op.initiative))
        let tls = try KiemTLSContext(
            role: .client, identity: try relay.tlsIdentity(), applicationProtocols: [RPCServer.applicationProtocol],
            logger: TestFederation.logger)
        try await running([svb]) {
            do {
                _ = try await RPCClient.withConnection(
                    to: .tls(host: "127.0.0.1", port: svb.listenPort!, context: tls), logger: TestFederation.logger
                ) { client in
                    try await client.clientStreaming(SyncAPI.push) { writer in
                        try await writer.write(origins.batch(adoptions))
                        try await writer.write(origins.batch(creations))
                    }
                }
                Issue.record("the push ended without ABORTED")
            } catch let error as RPCError {
                #expect(error.code == .aborted, "\(error)")
                #expect(error.message.contains("ops of sz-9"), "\(error)")
            }
            #expect(svb.replicator.oplog.deferredOrigins.isEmpty)
            #expect(svb.versionVector[origins.sz] == 10 && svb.versionVector[origins.uwv] == 30)
            #expect(svb.counters.snapshot.integrityFailures.isEmpty, "nobody is blamed")
            let again = try await HostilePeerTests.push(origins.batch(adoptions), to: svb, from: relay)
            #expect(again.accepted == 20 && again.duplicates == 10)
            #expect(try svb.store.counts().held == 0)
        }
    }

    @Test("a node joining through a relay that sends an origin's 600 adoptions before the 600 initiatives they adopt holds more than its quota of 10 for a while: it defers, resumes once they arrive, and converges")
    func honestCatchUpConverges() async throws {
        let federation = try TestFederation()
        let rws = try await federation.open(try federation.configuration("rws", "rws-1"))
        let relay = try federation.pki.node("evil", "evil-1")
        var origins = try Origins(pki: federation.pki)
        let creations = try origins.creations(600)
        let adoptions = try origins.adoptions(of: creations.map(\.op.initiative))
        // rws-1 receives the adoptions first, so it numbers sz-9 before
        // uwv-9 and sends a joining node sz-9's log first.
        try await running([rws]) {
            #expect(try await HostilePeerTests.push(origins.batch(adoptions), to: rws, from: relay).held == 600)
            #expect(try await HostilePeerTests.push(origins.batch(creations), to: rws, from: relay).accepted == 1_200)
            let svb = try await Self.nodeWithQuotaOf10(in: federation, peers: [try TestFederation.peer(rws)])
            try await running([svb]) {
                try await waitForConvergence([rws, svb], seconds: 120)
                #expect(svb.counters.snapshot.deferredByQuota[origins.sz, default: 0] > 0, "the quota bit during the catch-up")
                #expect(svb.replicator.oplog.deferredOrigins.isEmpty)
                #expect(try svb.store.counts().held == 0)
                #expect(svb.versionVector[origins.sz] == 600 && svb.versionVector[origins.uwv] == 600)
            }
        }
    }
}
