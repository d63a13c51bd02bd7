import Foundation
import KiemClient
import KiemConfiguration
import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemStore
import KiemTestSupport
import KiemTransport
import SwiftProtobuf
import Testing

/// Equivocation converges (WIRE.md section 13, "Equivocation"): five real
/// nodes over TLS, an origin that signs two histories and hands one to each
/// of two nodes at once.
@Suite("equivocation across a federation")
struct EquivocationConvergenceTests {
    @Test("an origin pushes one history to uwv-1 and another to rws-1 at once: the proof reaches all five nodes, each removes the origin's ops from the same seq and what was built on them, and all end with one digest", arguments: [3, 4])
    func fiveNodesConverge(sideB: Int) async throws {
        let federation = try TestFederation()
        let equivocator = try IngestPlannerTests.Equivocator(prefix: 2, sideB: sideB, pki: federation.pki)
        let evil = equivocator.evil
        // A ring: each node dials the next; uwv-1 and rws-1 are not neighbours.
        let nodes = try await federation.ring(PartitionTests.names).asyncMap { try await federation.open($0) }
        let sz = try NodeID("sz-1")
        let certificates = [
            try equivocator.evilIdentity.certificate(as: evil.rawValue), try equivocator.szIdentity.certificate(as: sz.rawValue),
        ]
        let push = { @Sendable (ops: [EncodedOp], node: KiemNode) in
            try await HostilePeerTests.push(
                Kiem_V1_OpBatch.with {
                    $0.ops = ops.map(WireOps.proto)
                    $0.certificates = certificates
                }, to: node, from: equivocator.evilIdentity)
        }
        try await running(nodes) {
            // The history both sides share reaches every node.
            _ = try await push(Array(equivocator.sideA.prefix(2)), nodes[0])
            try await waitUntil("the shared ops on every node", nodes: nodes) { nodes.allSatisfy { $0.versionVector[evil] == 2 } }

            // Then side A (with sz-1's adoption of what it creates) to
            // uwv-1 and side B to rws-1, at once. Either push may be refused
            // as equivocation if the other side got there first.
            async let sideA: Void = {
                _ = try? await push(Array(equivocator.sideA.dropFirst(2)), nodes[0])
                _ = try? await push(equivocator.dependent, nodes[0])
            }()
            async let sideB = try? push(Array(equivocator.sideB.dropFirst(2)), nodes[2])
            _ = await (sideA, sideB)

            try await waitUntil("the proof and one digest on every node", nodes: nodes, seconds: 120) {
                guard nodes.allSatisfy({ $0.replicator.oplog.proofSeqs == [evil: 3] }) else { return false }
                guard Set(nodes.map(\.versionVector)).count == 1 else { return false }
                return try Set(nodes.map { try $0.digest() }).count == 1
            }
            for node in nodes {
                #expect(node.versionVector[evil] == 2, "\(node.configuration.node) keeps the shared ops only")
                #expect(node.versionVector[sz] == 3, "sz-1's ops stay: its chain is sound")
                #expect(try node.store.counts().held == 1, "sz-1's adoption waits for a creation no node keeps")
                let status = try await ControlClient.withConnection(socket: node.configuration.controlSocketPath) { control in
                    try await control.call(ControlAPI.status, Kiem_V1_StatusRequest())
                }
                #expect(status.equivocations.map(\.origin) == ["evil-1"] && status.equivocations.map(\.seq) == [3],
                        "\(node.configuration.node)")
            }
        }
    }
}
