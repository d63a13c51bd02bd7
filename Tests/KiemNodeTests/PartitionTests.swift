import Foundation
import KiemConfiguration
import KiemCore
@testable import KiemNode
import KiemStore
import KiemTestSupport
import Testing

/// DESIGN.md's reliability target: partitions and heals among 5 nodes with
/// random writes end with one state digest everywhere.
@Suite("partitions and heals")
struct PartitionTests {
    static let names = [("uwv", "uwv-1"), ("svb", "svb-1"), ("rws", "rws-1"), ("belastingdienst", "bd-1"), ("duo", "duo-1")]

    @Test("5 nodes in a ring, split in two groups that keep writing, healed: one digest", arguments: [UInt64(20_261_201), 7])
    func partitionAndHeal(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let federation = try TestFederation()
        // A ring: each node dials the next.
        let configurations = try federation.ring(Self.names)
        var known: [InitiativeID] = []
        for round in 0..<3 {
            // Split: a random cut of the ring into two groups, no links between them.
            let cut = Int.random(in: 1..<configurations.count, using: &random)
            let group = Set(configurations[..<cut].map(\.node))
            let split = configurations.map { configuration in
                var isolated = configuration
                isolated.peers = configuration.peers.filter { group.contains($0.node) == group.contains(configuration.node) }
                return isolated
            }
            let nodes = try await split.asyncMap { try await federation.open($0) }
            try await running(nodes) {
                for _ in 0..<12 {
                    let node = nodes[Int.random(in: 0..<nodes.count, using: &random)]
                    try await Self.randomWrite(on: node, known: &known, random: &random)
                }
                // Each group converges within itself.
                try await waitForConvergence(nodes.filter { group.contains($0.configuration.node) })
                try await waitForConvergence(nodes.filter { !group.contains($0.configuration.node) })
            }
            for node in nodes { await node.waitUntilStopped() }

            // Heal.
            let healed = try await configurations.asyncMap { try await federation.open($0) }
            try await running(healed) {
                try await waitForConvergence(healed, seconds: 120)
                let digests = try Set(healed.map { try $0.digest() })
                #expect(digests.count == 1, "round \(round), seed \(seed)")
            }
            for node in healed { await node.waitUntilStopped() }
        }
        #expect(known.count > 3, "the rounds created initiatives (seed \(seed))")
    }

    /// Creates an initiative, edits one of the writer's own, or adopts or
    /// endorses another organisation's one it holds.
    static func randomWrite(on node: KiemNode, known: inout [InitiativeID], random: inout SeededGenerator) async throws {
        let organisation = node.configuration.organisation
        let visible = try known.filter { try node.store.initiativeState($0) != nil }
        let own = try visible.filter { try node.store.initiativeState($0)?.owner == organisation }
        let others = try visible.filter { try node.store.initiativeState($0)?.owner != organisation }
        switch Int.random(in: 0..<4, using: &random) {
        case 1 where !own.isEmpty:
            try await node.write(.setText(.summary, "stand \(UInt32.random(in: 0...9_999, using: &random))"),
                                 to: own[Int.random(in: 0..<own.count, using: &random)])
        case 2 where !others.isEmpty:
            try await node.write(.setAdoption(Adoption(status: [.exploring, .piloting, .adopted].randomElement(using: &random)!)),
                                 to: others[Int.random(in: 0..<others.count, using: &random)])
        case 3 where !others.isEmpty:
            try await node.write(.setEndorsement(Endorsement(endorsed: Bool.random(using: &random))),
                                 to: others[Int.random(in: 0..<others.count, using: &random)])
        default:
            known.append(try await node.create(.sample("Initiatief \(known.count) van \(organisation)")))
        }
    }
}
