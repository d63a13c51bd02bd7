import Foundation
import KiemConfiguration
import KiemCore
@testable import KiemNode
import KiemStore
import KiemTestSupport
import Testing

/// Nodes in one process, each with its own store file, syncing over real
/// loopback mutual TLS.
@Suite("replication between nodes")
struct ReplicationTests {
    @Test("three nodes with concurrent writes on each converge to one digest")
    func threeNodesConverge() async throws {
        let federation = try TestFederation()
        let svb = try await federation.open(try federation.configuration("svb", "svb-1"))
        let rws = try await federation.open(try federation.configuration("rws", "rws-1", peers: [try TestFederation.peer(svb)]))
        let uwv = try await federation.open(try federation.configuration(
            "uwv", "uwv-1", peers: [try TestFederation.peer(svb), try TestFederation.peer(rws)]))
        let nodes = [uwv, svb, rws]
        try await running(nodes) {
            let shared = try await uwv.create(.sample("Gedeelde MPC-pilot", themes: ["mpc"]))
            try await waitUntil("the initiative on every node", nodes: nodes) {
                try nodes.allSatisfy { try $0.store.initiativeState(shared) != nil }
            }
            // Concurrent writes on every node: the owner edits, the others
            // adopt, endorse and create their own.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for index in 1...20 { try await uwv.write(.setText(.summary, "versie \(index)"), to: shared) }
                    try await uwv.write(.setPhase(PhaseValue(.proven)), to: shared)
                }
                group.addTask {
                    try await svb.write(.setAdoption(Adoption(status: .piloting)), to: shared)
                    for index in 1...10 { _ = try await svb.create(.sample("SVB robotica \(index)", themes: ["robotica"])) }
                }
                group.addTask {
                    try await rws.write(.setEndorsement(Endorsement(endorsed: true, note: "werkt")), to: shared)
                    for index in 1...10 { _ = try await rws.create(.sample("RWS inkoop \(index)", themes: ["inkoop"])) }
                }
                try await group.waitForAll()
            }
            try await waitForConvergence(nodes)
            let digests = try Set(nodes.map { try $0.digest() })
            #expect(digests.count == 1)
            for node in nodes {
                #expect(try node.store.counts().initiatives == 21)
                let state = try #require(try node.store.initiativeState(shared))
                #expect(state.text(.summary) == "versie 20")
                #expect(state.currentPhase.phase == .proven)
                #expect(state.adoptionStatuses[try OrganisationID("svb")] == .piloting)
            }
        }
    }

    @Test("A's ops reach C through B, with no A-C link, and verify on C")
    func relay() async throws {
        let federation = try TestFederation()
        let b = try await federation.open(try federation.configuration("svb", "svb-1"))
        let a = try await federation.open(try federation.configuration("uwv", "uwv-1", peers: [try TestFederation.peer(b)]))
        let c = try await federation.open(try federation.configuration("rws", "rws-1", peers: [try TestFederation.peer(b)]))
        try await running([a, b, c]) {
            let id = try await a.create(.sample("Doorlopende klantreis"))
            try await a.write(.setPhase(PhaseValue(.proven)), to: id)
            try await waitUntil("A's initiative on C", nodes: [c]) {
                try c.store.initiativeState(id)?.currentPhase.phase == .proven
            }
            // C verified A's ops with A's certificate, which came through B.
            #expect(c.replicator.directory.identity(of: try NodeID("uwv-1")) != nil)
            try await c.write(.setAdoption(Adoption(status: .adopted, note: "overgenomen")), to: id)
            try await waitUntil("C's adoption on A", nodes: [a]) {
                try a.store.initiativeState(id)?.adoptionStatuses[try OrganisationID("rws")] == .adopted
            }
            try await waitForConvergence([a, b, c])
            #expect(a.connectedPeers.keys.sorted() == [try NodeID("svb-1")])
            #expect(c.connectedPeers.keys.sorted() == [try NodeID("svb-1")])
            #expect(a.replicator.registry.peers[try NodeID("rws-1")]?.connected == nil)
        }
    }
}

@Suite("sessions between two nodes that both dial")
struct MutualDialTests {
    @Test("two nodes that list each other keep one session, the one the lower node id dialled, and converge")
    func oneSessionWhenBothDial() async throws {
        let federation = try TestFederation()
        var aConfiguration = try federation.configuration("uwv", "uwv-1")
        var bConfiguration = try federation.configuration("svb", "svb-1")
        aConfiguration.listen = .init(host: "127.0.0.1", port: try freeLoopbackPort())
        bConfiguration.listen = .init(host: "127.0.0.1", port: try freeLoopbackPort())
        aConfiguration.peers = [.init(address: bConfiguration.listen, organisation: bConfiguration.organisation, node: bConfiguration.node)]
        bConfiguration.peers = [.init(address: aConfiguration.listen, organisation: aConfiguration.organisation, node: aConfiguration.node)]
        let a = try await federation.open(aConfiguration)
        let b = try await federation.open(bConfiguration)
        try await running([a, b]) {
            let fromA = try await a.create(.sample("Van UWV"))
            let fromB = try await b.create(.sample("Van SVB"))
            try await waitForConvergence([a, b])
            let svb = try NodeID("svb-1")
            let uwv = try NodeID("uwv-1")
            try await waitUntil("one session each way", nodes: [a, b]) {
                // "svb-1" < "uwv-1": the connection svb-1 dialled is kept.
                a.connectedPeers == [svb: "inbound"] && b.connectedPeers == [uwv: "outbound"]
            }
            #expect(try b.store.initiativeState(fromA) != nil)
            #expect(try a.store.initiativeState(fromB) != nil)
        }
    }
}

@Suite("catch-up and restarts")
struct CatchUpTests {
    @Test("a node stopped while its peer writes 1,000 ops catches up from its vector after a restart")
    func restartCatchesUpFromVector() async throws {
        let federation = try TestFederation()
        let a = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        let bConfiguration = try federation.configuration("svb", "svb-1", peers: [try TestFederation.peer(a)])
        let b = try await federation.open(bConfiguration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await a.run() }
            group.addTask { try await b.run() }
            let ids = try await (1...10).asyncMap { try await a.create(.sample("Initiatief \($0)")) }
            try await waitForConvergence([a, b])
            b.shutdown()
            await b.waitUntilStopped()
            for index in 0..<1_000 {
                try await a.write(.setText(.summary, "stand \(index)"), to: ids[index % ids.count])
            }
            let restarted = try await federation.open(bConfiguration)
            #expect(restarted.versionVector == VersionVector([try NodeID("uwv-1"): 10]))
            group.addTask { try await restarted.run() }
            try await waitForConvergence([a, restarted])
            // Only what was missing travelled: the 1,000 new ops, not the 10 before.
            #expect(restarted.replicator.registry.peers[try NodeID("uwv-1")]?.opsReceived == 1_000)
            #expect(try restarted.store.initiativeState(ids[9])?.text(.summary) == "stand 999")
            group.cancelAll()
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
