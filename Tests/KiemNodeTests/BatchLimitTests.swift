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

/// No batch exceeds what its receiver announced, and no member can make a
/// node hold a span of ops that could never be relayed within a frame
/// (issue 12: one 4 MiB run with one signature wedged every new node).
@Suite("batch limits")
struct BatchLimitTests {
    /// A history of `origin` (node `uwv-9`, not running), signed every
    /// `signEvery` ops, as wire ops, and uwv-9's certificate.
    static func history(
        of origin: TestNodeIdentity, initiatives: Int, signEvery: Int
    ) throws -> (ops: [Kiem_V1_Op], certificate: Kiem_V1_NodeCertificate) {
        let ops = try SignedHistory.make(
            node: try NodeID("uwv-9"), organisation: try OrganisationID("uwv"), key: try OriginSigningKey(origin.privateKey),
            initiatives: initiatives, signEvery: signEvery)
        return (ops.map(WireOps.proto), try origin.certificate(as: "uwv-9"))
    }

    /// Pulls everything `target` holds beyond nothing, as `evil-1`, with a
    /// `maxFrameSize` preface; returns the batches.
    static func pull(
        from target: KiemNode, as evil: TestNodeIdentity, maxFrameSize: UInt32, request: Kiem_V1_PullRequest = .init()
    ) async throws -> [Kiem_V1_OpBatch] {
        let tls = try KiemTLSContext(
            role: .client, identity: try evil.tlsIdentity(), applicationProtocols: [RPCServer.applicationProtocol],
            logger: TestFederation.logger)
        var configuration = RPCConnectionConfiguration()
        configuration.connection.preface.maxFrameSize = maxFrameSize
        return try await RPCClient.withConnection(
            to: .tls(host: "127.0.0.1", port: target.listenPort!, context: tls), configuration: configuration,
            logger: TestFederation.logger
        ) { client in
            try await client.serverStreaming(SyncAPI.pull, request: request) { batches in
                var received: [Kiem_V1_OpBatch] = []
                for try await batch in batches { received.append(batch) }
                return received
            }
        }
    }

    @Test("a run whose one signature covers more than 2 MiB is refused at the door with INVALID_ARGUMENT; a node joining later converges")
    func oversizedSpanRefused() async throws {
        let federation = try TestFederation()
        let rws = try await federation.open(try federation.configuration("rws", "rws-1"))
        let evil = try federation.pki.node("evil", "evil-1")
        let origin = try federation.pki.node("uwv", "uwv-9")
        // About 2.4 MiB of ops with only the last one signed: within the
        // 4 MiB frame, so the batch arrives whole.
        let (ops, certificate) = try Self.history(of: origin, initiatives: 2_400, signEvery: 1_000_000)
        var batch = Kiem_V1_OpBatch()
        batch.ops = ops
        batch.certificates = [certificate]
        #expect(try (batch.serializedBytes() as [UInt8]).count < 4 << 20)
        try await running([rws]) {
            do {
                _ = try await HostilePeerTests.push(batch, to: rws, from: evil)
                Issue.record("the oversized span was accepted")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument, "\(error)")
                #expect(error.message.contains("signed span"), "\(error)")
            }
            #expect(rws.versionVector.totalOps == 0, "nothing of the batch was stored")
            #expect(rws.counters.snapshot.integrityFailures[try NodeID("evil-1")] == 1)

            // The same history signed every 500 ops is fine, and a node that
            // joins afterwards receives all of it through rws.
            let (signed, _) = try Self.history(of: origin, initiatives: 2_400, signEvery: 500)
            batch.ops = signed
            #expect(try await HostilePeerTests.push(batch, to: rws, from: evil).accepted == 12_000)
            let svb = try await federation.open(
                try federation.configuration("svb", "svb-1", peers: [try TestFederation.peer(rws)]))
            try await running([svb]) {
                try await waitForConvergence([rws, svb])
            }
        }
    }

    @Test("a Pull with a 16 KiB frame gets every op in batches within it; max_ops_per_batch and origins are honoured; a span that cannot fit ends the call with RESOURCE_EXHAUSTED")
    func pullWithinReceiverLimits() async throws {
        let federation = try TestFederation()
        let rws = try await federation.open(try federation.configuration("rws", "rws-1"))
        let evil = try federation.pki.node("evil", "evil-1")
        let origin = try federation.pki.node("uwv", "uwv-9")
        try await running([rws]) {
            // rws's own writes (each signed) and a relayed history signed every 20 ops.
            for index in 1...30 { _ = try await rws.create(.sample("Inspectie \(index)")) }
            var batch = Kiem_V1_OpBatch()
            let (history, certificate) = try Self.history(of: origin, initiatives: 100, signEvery: 20)
            batch.ops = history
            batch.certificates = [certificate]
            #expect(try await HostilePeerTests.push(batch, to: rws, from: evil).accepted == 500)
            let total = rws.versionVector.totalOps
            #expect(total == 530)

            let small = try await Self.pull(from: rws, as: evil, maxFrameSize: 16_384)
            #expect(small.count > 5)
            #expect(try small.allSatisfy { try ($0.serializedBytes() as [UInt8]).count <= 16_384 })
            #expect(small.reduce(0) { $0 + $1.ops.count } == Int(total))

            let fewOps = try await Self.pull(from: rws, as: evil, maxFrameSize: 4 << 20, request: .with { $0.maxOpsPerBatch = 25 })
            #expect(fewOps.allSatisfy { $0.ops.count <= 25 })
            #expect(fewOps.reduce(0) { $0 + $1.ops.count } == Int(total))

            let fewBytes = try await Self.pull(from: rws, as: evil, maxFrameSize: 4 << 20, request: .with { $0.maxBytesPerBatch = 20_000 })
            #expect(try fewBytes.allSatisfy { try ($0.serializedBytes() as [UInt8]).count <= 20_000 })
            #expect(fewBytes.reduce(0) { $0 + $1.ops.count } == Int(total))

            let onlyRws = try await Self.pull(from: rws, as: evil, maxFrameSize: 4 << 20, request: .with { $0.origins = ["rws-1"] })
            #expect(Set(onlyRws.flatMap(\.ops).map { try! Op(canonicalBytes: [UInt8]($0.canonical)).origin.rawValue }) == ["rws-1"])
            #expect(onlyRws.reduce(0) { $0 + $1.ops.count } == 30)

            // A relayed span of 1,000 ops (about 200 KB under one signature)
            // cannot be cut by a relay: it does not fit 16 KiB.
            var longSpans = Kiem_V1_OpBatch()
            let (long, _) = try Self.history(of: origin, initiatives: 300, signEvery: 1_000)
            longSpans.ops = Array(long[500...])
            #expect(try await HostilePeerTests.push(longSpans, to: rws, from: evil).accepted == 1_000)
            do {
                _ = try await Self.pull(from: rws, as: evil, maxFrameSize: 16_384, request: .with { $0.origins = ["uwv-9"] })
                Issue.record("the Pull should have failed")
            } catch let error as RPCError {
                #expect(error.code == .resourceExhausted, "\(error)")
                #expect(error.message.contains("larger max frame size"), "\(error)")
            }
        }
    }
}
