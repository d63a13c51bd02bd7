import Foundation
import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemStore
import KiemTestSupport
import KiemTransport
import KiemWire
import SwiftProtobuf
import Testing

/// The refusals of Protocols/WIRE.md section 16 as a real node answers them:
/// a peer pushes ops of an origin `far-1` (whose key the test holds) and the
/// call's status, the store and the counters are checked.
@Suite("op content refusals (WIRE.md section 16)")
struct OpContentRefusalTests {
    /// A federation with a target node, the origin whose ops are pushed and
    /// the relay that pushes them.
    struct Setup {
        let federation: TestFederation
        let target: KiemNode
        let origin: TestNodeIdentity
        let relay: TestNodeIdentity
        let certificate: Kiem_V1_NodeCertificate

        init() async throws {
            federation = try TestFederation()
            target = try await federation.open(try federation.configuration("rws", "rws-1"))
            origin = try federation.pki.node("far", "far-1")
            relay = try federation.pki.node("evil", "evil-1")
            certificate = try origin.certificate(as: "far-1")
        }

        /// `far-1`'s first op, creating an initiative at `wallMillis`, signed.
        func create(
            at wallMillis: UInt64, title: String = "Robotica in de inkoop", author: String = "far"
        ) throws -> SignedOp {
            let node = try NodeID("far-1")
            let hlc = HLCTimestamp(wallMillis: wallMillis, logical: 0)
            let op = Op(id: OpID(origin: node, seq: 1), hlc: hlc, author: try OrganisationID(author),
                        initiative: InitiativeID(timestamp: hlc, node: node),
                        mutation: .create(InitiativeDraft(title: title, themes: ["robotica"])))
            var writer = OriginChainWriter(origin: node, key: try OriginSigningKey(origin.privateKey))
            return try writer.prove(op)
        }

        /// Pushes one op with `canonical` as its bytes and the proof of `signed`.
        func push(_ signed: SignedOp, canonical: [UInt8]? = nil) async throws -> Kiem_V1_PushAck {
            var batch = Kiem_V1_OpBatch()
            batch.certificates = [certificate]
            batch.ops = [Kiem_V1_Op.with {
                $0.canonical = Data(canonical ?? signed.op.canonicalBytes)
                $0.chain = Data(signed.proof.chain)
                $0.signature = Data(signed.proof.signature ?? [])
            }]
            return try await HostilePeerTests.push(batch, to: target, from: relay)
        }

        /// Expects the push to fail with `code` and a message that contains
        /// `saying`, storing nothing.
        func expectRefused(
            _ code: StatusCode, saying: String, _ signed: SignedOp, canonical: [UInt8]? = nil
        ) async {
            do {
                _ = try await push(signed, canonical: canonical)
                Issue.record("the batch was accepted; expected \(code)")
            } catch let error as RPCError {
                #expect(error.code == code, "\(error)")
                #expect(error.message.contains(saying), "\(error)")
            } catch {
                Issue.record("unexpected error \(error)")
            }
            #expect(target.versionVector.totalOps == 0, "nothing of the batch is stored")
        }
    }

    static var nowMillis: UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    @Test("an op more than 5 minutes ahead of the receiver's clock is refused with FAILED_PRECONDITION; 5 minutes ahead is accepted")
    func clockSkew() async throws {
        let setup = try await Setup()
        try await running([setup.target]) {
            let fiveMinutes = HybridLogicalClock.defaultMaxSkewMillis
            #expect(fiveMinutes == 300_000)
            // The receiver reads its clock after this line, so "now + 5 min"
            // is at most 5 minutes ahead when it arrives.
            let now = Self.nowMillis
            await setup.expectRefused(.failedPrecondition, saying: "ms ahead of the local clock",
                                      try setup.create(at: now + fiveMinutes + 60_000))
            let ack = try await setup.push(try setup.create(at: now + fiveMinutes))
            #expect(ack.accepted == 1)
            #expect(setup.target.versionVector.totalOps == 1)
        }
    }

    @Test("a batch whose run of an origin skips a seq is FAILED_PRECONDITION, nobody blamed, nothing stored")
    func gap() async throws {
        let setup = try await Setup()
        try await running([setup.target]) {
            var simulated = SimulatedNode("far-1", organisation: "far", wallMillis: Self.nowMillis)
            var writer = OriginChainWriter(origin: try NodeID("far-1"), key: try OriginSigningKey(setup.origin.privateKey))
            let first = simulated.create(InitiativeDraft(title: "Robotica in de inkoop", themes: ["robotica"]))
            _ = try writer.prove(first)
            let second = try writer.prove(simulated.setText(first.initiative, .summary, "Verder"))
            await setup.expectRefused(.failedPrecondition, saying: "skip from 1 to 2", second)
            #expect(setup.target.counters.snapshot.integrityFailures.isEmpty)
        }
    }

    @Test("a payload that does not match its digest is DATA_LOSS and counted against the relay; an erased payload or a short chain hash is INVALID_ARGUMENT; a wrong author is DATA_LOSS")
    func alteredAndErasedPayloads() async throws {
        let setup = try await Setup()
        try await running([setup.target]) {
            let signed = try setup.create(at: Self.nowMillis)
            let canonical = signed.op.canonicalBytes
            let header = Array(canonical.prefix(signed.op.headerLength))

            // The relay swaps the payload and keeps header, chain and signature.
            let other = try setup.create(at: Self.nowMillis, title: "Gekaapt")
            let swapped = header + Array(other.op.canonicalBytes.suffix(other.op.payloadBytes.count + 4))
            await setup.expectRefused(.dataLoss, saying: "does not match the digest in its header", signed, canonical: swapped)
            #expect(setup.target.counters.snapshot.integrityFailures[try NodeID("evil-1")] == 1)

            // Erased (WIRE.md 16.8): the header stays, the payload length is 0.
            await setup.expectRefused(.invalidArgument, saying: "erased payloads are not accepted in version 1",
                                      signed, canonical: header + [0, 0, 0, 0])

            // A chain hash that is not 32 bytes (WIRE.md 16.6).
            let shortChain = SignedOp(op: signed.op, proof: OpProof(chain: Array(signed.proof.chain.dropLast()),
                                                                    signature: signed.proof.signature))
            await setup.expectRefused(.invalidArgument, saying: "chain hash of 31 bytes", shortChain)

            // Signed by far-1 but claiming another organisation (WIRE.md 16.2).
            await setup.expectRefused(.dataLoss, saying: "claims author uwv",
                                      try setup.create(at: Self.nowMillis, author: "uwv"))

            // The genuine op goes through.
            #expect(try await setup.push(signed).accepted == 1)
        }
    }

    @Test("an op that breaks a value bound is stored as rejected, relayed and counted in PushAck.rejected; the call is OK")
    func boundBrokenIsRejectedNotRefused() async throws {
        let setup = try await Setup()
        try await running([setup.target]) {
            let ack = try await setup.push(try setup.create(at: Self.nowMillis, title: String(repeating: "x", count: 201)))
            #expect(ack.rejected == 1)
            #expect(ack.accepted == 0)
            #expect(setup.target.versionVector.totalOps == 1, "it keeps far-1's log contiguous")
            var cursor = try setup.target.store.missingOps(for: VersionVector())
            #expect(try cursor.nextEncoded()?.count == 1, "and is relayed like any op")
        }
    }
}
