import Foundation
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

/// What a member gets for bad input to the equivocation machinery (WIRE.md
/// sections 13 "Equivocation" and 14): each refusal with its status, counted
/// against the sender only where the sender is to blame, changing nothing.
@Suite("equivocation refusals")
struct EquivocationRefusalTests {
    @Test("a proof of equivocation that does not verify is DATA_LOSS and one that does not decode INVALID_ARGUMENT, each counted against the sender; neither quarantines anything")
    func badProofs() async throws {
        let federation = try TestFederation()
        let uwvConfiguration = try federation.configuration("uwv", "uwv-1")
        let uwv = try await federation.open(uwvConfiguration)
        let rws = try await federation.open(try federation.configuration("rws", "rws-1"))
        let evil = try federation.pki.node("evil", "evil-1")
        let evilID = try NodeID("evil-1")
        try await running([uwv, rws]) {
            _ = try await uwv.create(.sample("Robotisering bezwaar"))
            var (stored, batch, other) = try await HostilePeerTests.relayFirstOp(of: uwv, to: rws, as: evil)
            let digest = try rws.digest()

            // "uwv-1 signed two ops with seq 1", the second signed by the relay.
            let original = try Op(canonicalBytes: stored[0].canonical)
            var forger = OriginChainWriter(origin: original.origin, key: try OriginSigningKey(evil.privateKey))
            let forged = try forger.prove(other)
            let genuine = try EncodedOp(canonical: stored[0].canonical, proof: OpProof(chain: stored[0].chain!, signature: stored[0].signature))
            var proof = EquivocationRecord(
                origin: original.origin, seq: 1, previousChain: OpChain.genesis, held: [genuine],
                offered: [EncodedOp(other, proof: forged.proof)], detectedMillis: 0).proto
            batch.ops = []
            batch.equivocations = [proof]
            await HostilePeerTests.expectDataLoss { try await HostilePeerTests.push(batch, to: rws, from: evil) }
            #expect(rws.counters.snapshot.integrityFailures[evilID] == 1)

            // Two runs that do not continue one chain hash: it does not decode.
            proof.secondPreviousChain = Data(repeating: 1, count: 32)
            batch.equivocations = [proof]
            let error = await #expect(throws: RPCError.self) { try await HostilePeerTests.push(batch, to: rws, from: evil) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("do not continue one 32-byte chain hash") == true)
            #expect(rws.counters.snapshot.integrityFailures[evilID] == 2)

            #expect(try rws.store.equivocations().isEmpty)
            #expect(rws.replicator.oplog.proofSeqs.isEmpty)
            #expect(try rws.digest() == digest)
        }
    }

    @Test("a run that does not link to the receiver's head is FAILED_PRECONDITION the first time, unblamed, and the origin is announced as not held; the same run again is DATA_LOSS; the genuine run settles it")
    func divergedRun() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        let rws = try await federation.open(try federation.configuration("rws", "rws-1"))
        let evil = try federation.pki.node("evil", "evil-1")
        let evilID = try NodeID("evil-1")
        try await running([uwv, rws]) {
            let id = try await uwv.create(.sample("Robotisering bezwaar"))
            try await uwv.write(.setText(.title, "Robotisering bezwaarschriften"), to: id)
            let (stored, certificate) = try HostilePeerTests.originBatch(uwv)
            var batch = Kiem_V1_OpBatch()
            batch.certificates = [certificate]
            batch.ops = [WireOps.proto(stored[0], signed: true)]
            #expect(try await HostilePeerTests.push(batch, to: rws, from: evil).accepted == 1)
            let uwvID = uwv.configuration.node
            #expect(rws.replicator.oplog.announcement.entries.first { $0.origin == uwvID.rawValue }?.chain == Data(stored[0].chain!))

            // uwv-1's seq 2 on another chain: linked to a hash rws-1 does not hold.
            let original = try Op(canonicalBytes: stored[1].canonical)
            var forger = OriginChainWriter(
                origin: uwvID, key: try OriginSigningKey(evil.privateKey), seq: 1, chain: [UInt8](repeating: 9, count: 32))
            let forged = try forger.prove(original)
            batch.ops = [Kiem_V1_Op.with {
                $0.canonical = Data(stored[1].canonical)
                $0.chain = Data(forged.proof.chain)
                $0.signature = Data(forged.proof.signature!)
            }]
            let error = await #expect(throws: RPCError.self) { try await HostilePeerTests.push(batch, to: rws, from: evil) }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("do not continue this node's log after seq 1") == true)
            #expect(rws.counters.snapshot.integrityFailures[evilID] == nil, "not blamed the first time")
            #expect(!rws.replicator.oplog.announcement.entries.contains { $0.origin == uwvID.rawValue },
                    "uwv-1 is announced as not held, so peers send its log from the start")
            #expect(rws.versionVector[uwvID] == 1, "what the store holds is unchanged")

            await HostilePeerTests.expectDataLoss { try await HostilePeerTests.push(batch, to: rws, from: evil) }
            #expect(rws.counters.snapshot.integrityFailures[evilID] == 1, "blamed once the origin was diverged already")

            batch.ops = [WireOps.proto(stored[1], signed: true)]
            #expect(try await HostilePeerTests.push(batch, to: rws, from: evil).accepted == 1)
            #expect(rws.replicator.oplog.announcement.entries.first { $0.origin == uwvID.rawValue }?.seq == 2,
                    "the genuine run settles it")
        }
    }

    @Test("an announced chain hash that is not 32 bytes is INVALID_ARGUMENT; a different one at the same seq makes the sender send that origin's log from the start")
    func announcedChains() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        let evil = try federation.pki.node("evil", "evil-1")
        try await running([uwv]) {
            _ = try await uwv.create(.sample("Robotisering bezwaar"))
            _ = try await uwv.create(.sample("Proactieve AOW"))
            let ours = uwv.replicator.oplog.announcement
            var have = ours
            have.entries[0].chain = Data(repeating: 1, count: 5)
            let error = await #expect(throws: RPCError.self) {
                try await BatchLimitTests.pull(from: uwv, as: evil, maxFrameSize: 4 << 20, request: .with { $0.have = have })
            }
            #expect(error?.code == .invalidArgument)

            // Its own vector and chain: nothing to send.
            let none = try await BatchLimitTests.pull(from: uwv, as: evil, maxFrameSize: 4 << 20, request: .with { $0.have = ours })
            #expect(none.flatMap(\.ops).isEmpty)
            // The same seq on another chain: the whole log again.
            have.entries[0].chain = Data(repeating: 1, count: 32)
            let again = try await BatchLimitTests.pull(from: uwv, as: evil, maxFrameSize: 4 << 20, request: .with { $0.have = have })
            #expect(again.flatMap(\.ops).count == 2)
        }
    }
}
